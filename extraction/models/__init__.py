from .charts import Chart, ChartValue, ChartValueChange
from .exports import ExportJob
from .forms import CHOICE_TYPES, ChartForm, FieldType, FormField, FormSection

__all__ = [
    "CHOICE_TYPES",
    "Chart",
    "ChartForm",
    "ChartValue",
    "ChartValueChange",
    "ExportJob",
    "FieldType",
    "FormField",
    "FormSection",
]
