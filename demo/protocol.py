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
