# ruff: noqa: RUF001  (the protocol's en dashes are kept as written)
"""The demo protocol: the CSE participation scoping review (see shared PROTOCOL.md).

Questions are the published review's, word for word. Search, criteria and reasons are the
illustrative reconstruction, and the review says so on every page (NOTICE).
"""

SLUG = "cse-participation"
TITLE = "Participation of young people in child sexual exploitation (CSE) services"
DESCRIPTION = (
    "Scoping review for the participation strand of the evaluation 'Evaluating a new model of "
    "tackling child sexual exploitation across England' (Alexi Project, University of "
    "Bedfordshire; CSE Funders' Alliance), September 2015 to April 2016."
)
NOTICE = (
    "Search strategy, eligibility criteria and charting form are illustrative reconstructions; "
    "the published review's methods were not available."
)

QUESTIONS = [
    "How is 'participation' of young people in CSE services conceptualised in the research, "
    "policy and professional literature?",
    "How explicit is the policy requirement for children and young people's participation in "
    "the processes associated with assessment, planning and review and what evidence exists "
    "regarding the implementation and/or effectiveness of these processes?",
    "What evidence exists regarding the nature of the experience of participation, and its "
    "impact, from the perspectives of young people, parents and carers, and professionals?",
    "What evidence exists regarding the conditions that need to be in place to make "
    "participative working possible and effective for different groups of CSE affected young "
    "people?",
    "What evidence exists regarding the replicability of participative models?",
]

POPULATION = (
    "Children and young people (under 18, up to 25 where support continues) affected by or at "
    "risk of CSE; their parents/carers and the professionals who work with them."
)
CONCEPT = (
    "Participation: involvement, voice and influence in individual decisions (assessment, "
    "planning, review), service design, policy, research and evaluation."
)
CONTEXT = "CSE services, specialist voluntary and statutory, mainly the UK/England policy context."

SEARCH_STRATEGY = """Databases: ASSIA, Social Care Online, IBSS, PsycINFO, Social Services Abstracts, Web of Science.
Other methods: government, inspectorate, Children's Commissioner and inquiry reports, voluntary CSE organisations' websites, reference lists.
Limits: English; published up to April 2016.
String: ("child sexual exploitation" OR "sexual exploitation" OR CSE OR "sexually exploited" OR "child prostitution") AND (participat* OR involv* OR voice OR "service user*" OR co-produc* OR consult* OR engag* OR empower*) AND (child* OR "young people" OR youth OR adolescen* OR teen*)"""  # noqa: E501

INCLUDE_CRITERIA = [
    "Children/young people affected by or at risk of CSE, or CSE services/policy.",
    "Addresses participation, involvement or voice in any form.",
    "Research, evaluations, policy and statutory guidance, professional/practice literature, "
    "inquiry reports.",
    "Relevant to at least one review question.",
    "English, published by April 2016.",
]

# (code, label, title/abstract, retrieval, full text, note required)
REASONS = [
    ("EX-POP", "Wrong population", True, False, True, False),
    ("EX-CON", "Wrong concept: no participation, involvement or voice", True, False, True, False),
    ("EX-CTX", "Wrong context: not CSE or CSE services", True, False, True, False),
    (
        "EX-TYPE",
        "Ineligible source type (news item, notice, abstract only)",
        True,
        False,
        True,
        False,
    ),
    ("EX-RQ", "Not relevant to any review question", False, False, True, False),
    ("EX-LANG", "Not in English", True, False, True, False),
    ("EX-DATE", "Outside date range", True, False, False, False),
    (
        "EX-NA",
        "Full text not obtainable (PRISMA: reports not retrieved)",
        False,
        True,
        False,
        False,
    ),
    ("EX-OTHER", "Other (free text required)", True, True, True, True),
]

USERS = [
    ("lead", "Lena", "Lead", "lead"),
    ("reviewer1", "Rhys", "Reviewer", "reviewer"),
    ("reviewer2", "Rani", "Reviewer", "reviewer"),
]
DEFAULT_PASSWORD = "review-demo"  # noqa: S105  (documented demo logins)

# The second demo review: a real, openly licensed screening data set (demo/demo_data).
OPEN_SLUG = "open-data-demo"
OPEN_TITLE = "Open data demo: systematic literature reviews in software engineering"
OPEN_DESCRIPTION = (
    "Try importing, screening, conflicts and prioritisation on 1,704 real records: the search "
    "results of Kitchenham et al. (2010), 'Systematic literature reviews in software "
    "engineering - A tertiary study', Information and Software Technology 52(8):792-805. Data: "
    "ASReview systematic-review data sets, CC-BY 4.0. The original inclusion labels are not "
    "loaded."
)
OPEN_NOTICE = (
    "Demo review on an open data set (Kitchenham et al. 2010, CC-BY 4.0); the question and "
    "criteria paraphrase the tertiary study's aims for practice screening."
)
OPEN_QUESTIONS = [
    "Which systematic literature reviews in software engineering have been published, and "
    "which topics and research questions do they address?",
]
OPEN_INCLUDE = [
    "A systematic literature review or mapping study.",
    "About software engineering.",
]
OPEN_EXCLUDE = ["Primary studies, informal reviews and opinion pieces."]
OPEN_REASONS = [
    ("NOT-SLR", "Not a systematic review", True, False, True, False),
    ("NOT-SE", "Not software engineering", True, False, True, False),
    ("OTHER", "Other (say why)", True, True, True, True),
]


# The charting form (PROTOCOL.md, "Charting form"): a section for source characteristics, then
# one per review question, shown only when `rq_relevance` ticks it. "(S)" markers of the protocol
# (stated in public sources) are left out of the choice labels reviewers see.
def _field(key, label, type_, choices=(), *, required=False, quote=False, help_text=""):
    return {
        "key": key,
        "label": label,
        "type": type_,
        "choices": list(choices),
        "required": required,
        "takes_quote": quote,
        "help_text": help_text,
    }


SHORT, LONG, INT = "short_text", "long_text", "integer"
ONE, MANY, ORDINAL, YES_NO = "single_choice", "multiple_choice", "ordinal", "yes_no"

POPULATION_GROUPS = [
    "Girls/young women",
    "Boys/young men",
    "LGBTQ+",
    "Black and minoritised ethnic groups",
    "Disabled / learning disabilities",
    "Looked-after / in care",
    "Care leavers (18–25)",
    "Missing/runaway",
    "Trafficked/migrant",
    "Gang-associated",
    "Not specified",
]
NOT_REPORTED = "Leave blank when not reported."

SOURCE_FIELDS = [
    _field("year", "Year of publication", INT),
    _field(
        "country",
        "Country",
        MANY,
        [
            "England",
            "Scotland",
            "Wales",
            "Northern Ireland",
            "UK-wide",
            "Other (specify)",
            "Not stated",
        ],
    ),
    _field(
        "source_type",
        "Source type",
        ONE,
        [
            "Empirical research – peer-reviewed",
            "Research report (grey)",
            "Evaluation report",
            "Policy/statutory guidance",
            "Non-statutory practice guidance/toolkit",
            "Public inquiry / serious case review",
            "Literature review",
            "Theoretical/commentary",
            "Youth-produced resource",
            "Other",
        ],
    ),
    _field(
        "design",
        "Design",
        ONE,
        ["Qualitative", "Quantitative", "Mixed", "Review", "Non-empirical", "N/A"],
    ),
    _field(
        "data_methods",
        "Data collection methods",
        MANY,
        [
            "Interviews",
            "Focus groups",
            "Survey",
            "Case-file analysis",
            "Participatory/creative methods",
            "Observation",
            "Document analysis",
            "N/A",
        ],
    ),
    _field("aims", "Aims", LONG),
    _field(
        "perspectives",
        "Perspectives represented",
        MANY,
        [
            "Young people",
            "Parents/carers",
            "Professionals – voluntary sector",
            "Professionals – statutory (social care, police, health, education)",
            "Policy makers",
            "None",
        ],
    ),
    _field("n_young_people", "Number of young people", INT, help_text=NOT_REPORTED),
    _field("n_parents_carers", "Number of parents/carers", INT, help_text=NOT_REPORTED),
    _field("n_professionals", "Number of professionals", INT, help_text=NOT_REPORTED),
    _field("age_range", "Age range", SHORT),
    _field("population_groups", "Population groups", MANY, POPULATION_GROUPS),
    _field(
        "service_setting",
        "Service setting",
        MANY,
        [
            "Specialist voluntary-sector CSE service",
            "Statutory children's social care",
            "Police/criminal justice",
            "Health",
            "Education",
            "Residential care",
            "Multi-agency forum",
            "Other",
        ],
    ),
    _field(
        "cse_focus",
        "CSE focus",
        ONE,
        [
            "CSE-specific",
            "Broader CSA/child protection with CSE content",
            "Participation-general with CSE relevance",
        ],
    ),
    _field("funding_source", "Funding source", SHORT, help_text="PRISMA-ScR item 22."),
    _field(
        "rq_relevance",
        "Relevant to review questions",
        MANY,
        ["RQ1", "RQ2", "RQ3", "RQ4", "RQ5"],
        required=True,
        help_text="Each question ticked opens its section below.",
    ),
]

RQ1_FIELDS = [
    _field(
        "defines_participation",
        "Defines participation",
        ONE,
        ["Explicit definition", "Implicit", "None"],
    ),
    _field(
        "definition_text",
        "Definition of participation",
        LONG,
        quote=True,
        help_text="Verbatim, with its page.",
    ),
    _field(
        "models_referenced",
        "Models referenced",
        MANY,
        [
            "UNCRC Art. 12 / rights-based",
            "Hart's ladder",
            "Shier's pathways",
            "Lundy model",
            "Relationship-based practice",
            "Other",
            "None",
        ],
    ),
    _field(
        "participation_level",
        "Level of participation",
        MANY,
        [
            "Individual (own care/decisions)",
            "Collective/group",
            "Service design/delivery",
            "Strategic/policy",
            "Research/evaluation",
        ],
    ),
    _field(
        "participation_activities",
        "Participation activities",
        MANY,
        [
            "Assessment/planning/review meetings",
            "Training delivery",
            "Developing resources/materials",
            "Local policy development",
            "National policy development",
            "Research & evaluation",
            "Peer support/education",
            "Evidence to inquiries",
            "Other",
        ],
    ),
    _field(
        "yp_vs_professional_understanding",
        "Young people's and professionals' understanding",
        ONE,
        ["Divergent", "Aligned", "Not addressed"],
    ),
    _field(
        "protection_participation_tension",
        "Protection–participation tension",
        ONE,
        ["Discussed", "Not discussed"],
    ),
]

RQ2_FIELDS = [
    _field(
        "jurisdiction",
        "Jurisdiction",
        ONE,
        ["England", "Wales", "Scotland", "NI", "UK", "International"],
    ),
    _field(
        "instrument_type",
        "Instrument type",
        ONE,
        [
            "Statute",
            "Statutory guidance",
            "Non-statutory guidance",
            "Inspection framework",
            "Local protocol",
            "N/A (not a policy document)",
        ],
    ),
    _field(
        "requirement_explicitness",
        "Explicitness of the participation requirement",
        ORDINAL,
        ["Explicit & mandatory", "Explicit & recommended", "Implicit", "Absent"],
    ),
    _field(
        "processes_covered",
        "Processes covered",
        MANY,
        [
            "Assessment",
            "Planning",
            "Review",
            "Child protection conference",
            "Strategy meeting",
            "Looked-after review",
            "Multi-agency CSE meeting",
            "Other",
        ],
    ),
    _field(
        "implementation_evidence",
        "Evidence on implementation",
        ONE,
        ["Yes", "No"],
        quote=True,
        help_text="Yes: describe it in the quote, with its page.",
    ),
    _field(
        "effectiveness_evidence",
        "Evidence on effectiveness",
        ONE,
        ["Yes", "No"],
        quote=True,
        help_text="Yes: describe it in the quote, with its page.",
    ),
]

RQ3_FIELDS = [
    _field(
        "experience_perspective",
        "Whose experience",
        MANY,
        ["Young people", "Parents/carers", "Professionals"],
    ),
    _field(
        "experience_valence",
        "Experience reported as",
        ONE,
        ["Positive", "Negative", "Mixed", "Not reported"],
    ),
    _field(
        "enablers",
        "Enablers",
        MANY,
        [
            "Recognised as an individual",
            "Listened to / views taken seriously",
            "Flexible, friendly approach",
            "Trusting relationship",
            "Choice and control",
            "Consistent worker",
            "Feedback on what happened to their views",
            "Other",
        ],
    ),
    _field(
        "barriers",
        "Barriers",
        MANY,
        [
            "Ignored/not listened to",
            "Disbelieved/blamed when reporting",
            "Tokenism/co-option",
            "Intimidating meetings/jargon",
            "No feedback",
            "Worker turnover",
            "Risk-averse practice",
            "Other",
        ],
    ),
    _field(
        "impacts_reported",
        "Impacts reported",
        MANY,
        [
            "Confidence/self-efficacy",
            "Safety/reduced risk",
            "Engagement with services",
            "Service or policy change",
            "Wellbeing",
            "Negative (e.g. distress)",
            "None reported",
        ],
    ),
    _field(
        "impact_evidence_type",
        "Type of impact evidence",
        ONE,
        ["Qualitative accounts", "Quantitative measure", "Professional opinion", "None"],
    ),
    _field("key_quotes", "Key quotes", LONG, quote=True, help_text="Verbatim, with its page."),
]

RQ4_FIELDS = [
    _field(
        "condition_level",
        "Level of conditions",
        MANY,
        ["Practitioner", "Organisational", "Multi-agency/system", "Policy"],
    ),
    _field(
        "practitioner_conditions",
        "Practitioner conditions",
        MANY,
        [
            "Knowledge of CSE routes & experiences",
            "Reflective/critical practice",
            "Relational skills",
            "Time/caseload",
            "Training",
            "Supervision",
        ],
    ),
    _field(
        "organisational_conditions",
        "Organisational conditions",
        MANY,
        [
            "Participatory culture/leadership",
            "Dedicated resources/funding",
            "Participation worker role",
            "Safeguarding & risk protocols for involvement",
            "Ethical procedures",
            "Other",
        ],
    ),
    _field("groups_addressed", "Groups addressed", MANY, POPULATION_GROUPS),
    _field("group_specific_findings", "Group-specific findings", LONG),
    _field("gaps_noted", "Gaps noted", LONG, help_text="e.g. under-represented groups."),
]

RQ5_FIELDS = [
    _field("model_described", "A participative model is described", YES_NO),
    _field("model_name", "Model name", SHORT),
    _field(
        "description_detail",
        "Detail of the description",
        ORDINAL,
        ["Detailed enough to replicate", "Partial", "Minimal"],
    ),
    _field("transferred_elsewhere", "Transferred elsewhere", ONE, ["Yes", "No", "Unclear"]),
    _field(
        "evaluation_type",
        "Evaluation type",
        ONE,
        ["None", "Process", "Outcome", "Realist/theory-based", "Other"],
    ),
    _field(
        "transferability_conditions",
        "Conditions for transfer",
        LONG,
        help_text="Contextual dependencies.",
    ),
]

# (key, title, question number or None, fields); a question's section depends on rq_relevance.
CHART_SECTIONS = [
    ("source", "Source characteristics", None, SOURCE_FIELDS),
    ("rq1", "RQ1: Conceptualisation of participation", 1, RQ1_FIELDS),
    ("rq2", "RQ2: Policy requirement and implementation", 2, RQ2_FIELDS),
    ("rq3", "RQ3: Experience and impact", 3, RQ3_FIELDS),
    ("rq4", "RQ4: Conditions for participative working", 4, RQ4_FIELDS),
    ("rq5", "RQ5: Replicability of participative models", 5, RQ5_FIELDS),
]
SECTION_SWITCH = "rq_relevance"

# The theme codebook (PROTOCOL.md, "Theme codebook"): T1 to T4 labels and summaries are stated
# in public sources; sub-codes and T5 to T8 are proposed. Parents come before their children.
SOURCE_DERIVED, PROPOSED = "source_derived", "proposed"


def _code(code, label, definition, questions=(), *, parent="", status=PROPOSED):
    return {
        "code": code,
        "label": label,
        "parent": parent,
        "definition": definition,
        "questions": list(questions),
        "status": status,
    }


CODEBOOK = [
    _code(
        "T1",
        "Distinct participative practice in CSE",
        "The passage argues that participation in CSE work needs specific professional capacities.",
        [1, 4],
        status=SOURCE_DERIVED,
    ),
    _code(
        "T1.1",
        "CSE knowledge base",
        "Practitioners' understanding of routes into, and the lived experience of, CSE.",
        [4],
        parent="T1",
    ),
    _code(
        "T1.2",
        "Reflective & critical practice",
        "Reflexivity, critical questioning of professional assumptions, power.",
        [4],
        parent="T1",
    ),
    _code(
        "T2",
        "Young people's expertise in navigating services",
        "Young people's knowledge and skill in moving between services and judging what works.",
        [3, 5],
        status=SOURCE_DERIVED,
    ),
    _code(
        "T2.1",
        "Identifying what is effective",
        "Young people evaluate services and practices.",
        [3],
        parent="T2",
    ),
    _code(
        "T2.2",
        "Influence beyond CSE services",
        "Young people's expertise used to shape wider practice and policy.",
        [1, 5],
        parent="T2",
    ),
    _code(
        "T3",
        "Not heard: ignored or blamed",
        "Young people's reports or disclosures dismissed, disbelieved, or the young person blamed.",
        [3],
        status=SOURCE_DERIVED,
    ),
    _code(
        "T3.1",
        "Evidence via inquiries/reviews",
        "Young people's testimony in public inquiries / case reviews.",
        [2, 3],
        parent="T3",
    ),
    _code(
        "T3.2",
        "Disbelief / victim-blaming responses",
        "Professional responses that blame or discredit young people.",
        [3],
        parent="T3",
    ),
    _code(
        "T4",
        "What young people value",
        "Valued qualities of service relationships.",
        [3, 4],
        status=SOURCE_DERIVED,
    ),
    _code(
        "T4.1",
        "Recognised as an individual",
        "Young people value being recognised as an individual.",
        parent="T4",
    ),
    _code(
        "T4.2",
        "Listened to; views taken seriously",
        "Young people value being listened to and having their views taken seriously.",
        parent="T4",
    ),
    _code(
        "T4.3",
        "Flexible, friendly approach",
        "Young people value a flexible, friendly approach.",
        parent="T4",
    ),
    _code(
        "T5",
        "Contested meanings of participation",
        "Professional and young people's interpretations differ; young people may not use the "
        'word "participation".',
        [1],
    ),
    _code(
        "T6",
        "Under-represented groups / evidence gaps",
        "Participation of groups less represented in CSE services.",
        [4],
    ),
    _code(
        "T7",
        "Protection–participation tension",
        "Risk/safeguarding framed as limiting or competing with involvement.",
        [1, 4],
    ),
    _code(
        "T8",
        "Forms/levels of participation",
        "Individual decisions vs collective vs strategic/policy vs research.",
        [1],
    ),
]
