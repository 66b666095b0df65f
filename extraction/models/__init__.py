from .charts import Chart, ChartValue, ChartValueChange
from .exports import ExportJob
from .forms import CHOICE_TYPES, ChartForm, FieldType, FormField, FormSection
from .themes import Code, CodedQuote, CodedQuoteChange

__all__ = [
    "CHOICE_TYPES",
    "Chart",
    "ChartForm",
    "ChartValue",
    "ChartValueChange",
    "Code",
    "CodedQuote",
    "CodedQuoteChange",
    "ExportJob",
    "FieldType",
    "FormField",
    "FormSection",
]
