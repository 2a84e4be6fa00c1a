"""The demo agency in each of the three shapes the sources describe (../shared/sources):

- `cp`: Cambridgeshire & Peterborough Adoption, hosted by Cambridgeshire County Council for two
  councils (sources 000, 001, 002);
- `adoption-west`: Adoption West, a company owned by six councils that assesses adopters itself
  (source 003 names the six councils; the issue gives its legal form);
- `cbmk`: Central Bedfordshire and Milton Keynes, hosted by Central Bedfordshire for two unitary
  councils (source 004).

Every shape is synthetic and says so: the agency's name ends "(demo)", every person is fictional,
and the agency's addresses are example domains and telephone numbers from the ranges Ofcom keeps
for drama (01632 960xxx, 0117 496 0xxx). Where a source gives a number (C&P's 70 % / 30 % funding
split, its partnership term, its 2022 figures) it is used as data and says so beside it; every
other number is illustrative and says that instead.

The loaders in governance/demo.py, panel/demo.py, adm/demo.py and board/demo.py read one Shape;
none of them knows which agency it is building."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from governance.roles import Role
from governance.tables import Agency, LegalForm, PartnerKind


@dataclass(frozen=True, slots=True)
class DemoPartner:
    name: str
    code: str
    place: str  # how the board's papers name it in a sentence: "Peterborough"
    share: Decimal  # per cent of the agency's funding, every financial year
    is_host: bool = False
    kind: PartnerKind = PartnerKind.LOCAL_AUTHORITY
    # The demo's quarterly figures: a larger (0) or smaller (1) council's typical quarter,
    # scaled by this per cent.
    profile: int = 0
    scale: int = 100


@dataclass(frozen=True, slots=True)
class DemoAccount:
    name: str
    email: str
    roles: tuple[Role, ...]
    adm_partners: tuple[str, ...] = ()  # partner codes an ADM decides for


@dataclass(frozen=True, slots=True)
class DemoAdm:
    """An agency decision maker and whom they decide for: primary for some partners, deputy
    for others (each within the partners the account is scoped to)."""

    name: str
    email: str
    title: str
    primary_for: tuple[str, ...] = ()
    deputy_for: tuple[str, ...] = ()

    @property
    def scope(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.primary_for + self.deputy_for))


@dataclass(frozen=True, slots=True)
class DemoBoardMember:
    name: str
    email: str
    seat: str  # board.tables.Seat
    partner: str | None  # partner code; None for the agency's own seats and the adopter
    note: str = ""
    deputy: str | None = None  # the deputy's name
    deputy_email: str = ""


@dataclass(frozen=True, slots=True)
class Shape:
    key: str
    # The agency as its letterhead shows it
    name: str
    short_name: str
    legal_form: LegalForm
    address: str
    postcode: str
    telephone: str
    email: str
    website: str
    registered_manager: str
    letterhead_footer: str
    assesses_adopters: bool
    partners: tuple[DemoPartner, ...]
    # Who signs in: the staff accounts (the first ADM among them), then the other ADMs
    accounts: tuple[DemoAccount, ...]
    adms: tuple[DemoAdm, ...]
    # Where the agency itself assesses adopters: its own primary and deputy ADM
    agency_adms: tuple[DemoAdm, ...]
    head_of_service_email: str
    # The panel
    venue: str
    phone: str  # a member's telephone number, with {n} their place on the central list
    # The board: members in the order of `attendance`'s columns; the first eight hold the same
    # seats in every shape (chair, vice chair, two finance, two commissioning, operational,
    # adopter), which the demo's actions refer to.
    board: tuple[DemoBoardMember, ...]
    attendance: tuple[str, ...]  # per meeting, oldest first: P present, A apologies, D deputy
    board_location: str
    agreement_title: str
    agreement_ends_on: date
    base_budget: Decimal
    published_2022: bool = False  # board figures of April-December 2022 from the C&P report

    def partner(self, slot: int) -> DemoPartner:
        """The partner a demo item belongs to: slots wrap round the partners, so the same plan
        spreads over two councils or six."""
        return self.partners[slot % len(self.partners)]

    @property
    def councils(self) -> str:
        words = {2: "both", 3: "all three", 4: "all four", 5: "all five", 6: "all six"}
        return f"{words.get(len(self.partners), 'all the')} councils"

    @property
    def share_text(self) -> str:
        return " / ".join(f"{p.share.normalize():f}%" for p in self.partners)


_SYNTHETIC = "Synthetic demonstration data: every person named is fictional."
_PANEL, _ADM = (Role.PANEL_MEMBER,), (Role.ADM,)


def _staff(
    admin: str, adviser: str, administrator: str, adm: str, adm_for: tuple[str, ...], chair: str,
    board: str, auditor: str,
) -> tuple[DemoAccount, ...]:  # fmt: skip
    """The eight accounts every shape signs in with, one for each role; the e-mail addresses are
    the same in every shape, the people are not. Grace Adeyemi is on every shape's central list."""
    return (
        DemoAccount(admin, "admin@demo.example", (Role.SYSTEM_ADMIN,)),
        DemoAccount(adviser, "adviser@demo.example", (Role.PANEL_ADVISER,)),
        DemoAccount(administrator, "administrator@demo.example", (Role.PANEL_ADMINISTRATOR,)),
        DemoAccount("Grace Adeyemi", "member@demo.example", _PANEL),
        DemoAccount(adm, "adm@demo.example", _ADM, adm_for),
        DemoAccount(chair, "chair@demo.example", (Role.BOARD_CHAIR,)),
        DemoAccount(board, "board@demo.example", (Role.BOARD_MEMBER,)),
        DemoAccount(auditor, "auditor@demo.example", (Role.AUDITOR,)),
    )


# Attendance at the last eight partnership boards, oldest first, for boards of eight laid out as
# C&P's (each council with more than one member). The last four fall inside the rolling year:
# the sixth member attends two of them (under 75 %), and in the third-last neither the chair nor
# the vice chair is there, so that meeting is not quorate.
_TWO_COUNCIL_ATTENDANCE = (
    "PPPPPPPA",
    "PPPAPPPP",
    "PAPPDPPP",
    "PPPPPAPP",
    "PPPPDAPP",
    "AAPPPXPP",
    "PPPPDPPP",
    "PPPPPPPA",
)

CP = Shape(
    key="cp",
    name="Cambridgeshire & Peterborough Adoption (demo)",
    short_name="CPA",
    legal_form=LegalForm.HOSTED,
    # The host council's offices (source 002: the agency is hosted by Cambridgeshire County
    # Council); the contacts below are fictional.
    address="New Shire Hall\nEmery Crescent\nEnterprise Campus\nAlconbury Weald\nHuntingdon",
    postcode="PE28 4YE",
    telephone="01632 960100",
    email="adoption@cpa.demo.example",
    website="https://cpa.demo.example",
    registered_manager="Ruth Okafor",
    letterhead_footer="Cambridgeshire & Peterborough Adoption (demo) is hosted by Cambridgeshire "
    f"County Council for Cambridgeshire and Peterborough. {_SYNTHETIC}",
    assesses_adopters=False,
    partners=(
        # Source 001: "funded by a designated percentage contribution between PCC (30%) and
        # CCC (70%)": the demo uses those shares for every financial year.
        DemoPartner("Cambridgeshire County Council", "CCC", "Cambridgeshire", Decimal(70), True),
        DemoPartner("Peterborough City Council", "PCC", "Peterborough", Decimal(30), profile=1),
    ),
    accounts=_staff(
        "Sam Okafor",
        "Priya Raman",
        "Tom Hughes",
        "Helen Marsh",
        ("CCC", "PCC"),
        "Ricky Lawson",
        "Anita Brook",
        "Leo Fischer",
    ),
    # Source 002 has one ADM for both councils; the demo gives each council its own, each the
    # other's deputy, so that routing to the right council's ADM shows.
    adms=(
        DemoAdm(
            "Helen Marsh", "adm@demo.example", "Head of Children's Services", ("CCC",), ("PCC",)
        ),
        DemoAdm(
            "Colin Pryor",
            "adm.peterborough@demo.example",
            "Assistant Director, Children's Social Care",
            ("PCC",),
            ("CCC",),
        ),
    ),
    agency_adms=(),
    head_of_service_email="head.of.service@demo.example",
    venue="Committee Room 2, New Shire Hall, Alconbury Weald",
    phone="01223 7{n:05d}",
    board=(
        DemoBoardMember(
            "Ricky Lawson",
            "chair@demo.example",
            "chair",
            "CCC",
            "Assistant Director",
            "Nina Kaur",
            "nina.kaur@demo.example",
        ),
        DemoBoardMember(
            "Marcus Webb", "marcus.webb@demo.example", "vice_chair", "PCC", "Head of Service"
        ),
        DemoBoardMember(
            "Anita Brook", "board@demo.example", "finance", "CCC", "Finance Business Partner"
        ),
        DemoBoardMember(
            "Olivia Hart", "olivia.hart@demo.example", "finance", "PCC", "Strategic Finance"
        ),
        DemoBoardMember(
            "Daniel Osei",
            "daniel.osei@demo.example",
            "commissioning",
            "CCC",
            "",
            "Josh Patel",
            "josh.patel@demo.example",
        ),
        DemoBoardMember("Fiona Clarke", "fiona.clarke@demo.example", "commissioning", "PCC"),
        DemoBoardMember(
            "Rachel Moore", "rachel.moore@demo.example", "operational", "CCC", "Head of the RAA"
        ),
        DemoBoardMember("Sarah Lind", "sarah.lind@demo.example", "adopter_representative", None),
    ),
    attendance=_TWO_COUNCIL_ATTENDANCE,
    board_location="Room 2, New Shire Hall, Alconbury Weald, or Microsoft Teams",
    agreement_title="Cambridgeshire and Peterborough Adoption partnership agreement",
    # Source 000: the partnership runs "at least until 30 November 2030".
    agreement_ends_on=date(2030, 11, 30),
    base_budget=Decimal("3450000.00"),  # illustrative: the sources give no budget
    published_2022=True,
)

_AW = ("BNES", "BCC", "GCC", "NSC", "SGC", "WC")

ADOPTION_WEST = Shape(
    key="adoption-west",
    name="Adoption West (demo)",
    short_name="AW",
    legal_form=LegalForm.COMPANY,
    address="Floor 3, Example House\n12 Temple Way\nBristol",  # fictional
    postcode="BS1 6HG",
    telephone="0117 496 0100",
    email="hello@adoptionwest.demo.example",
    website="https://adoptionwest.demo.example",
    registered_manager="Naomi Sterling",
    letterhead_footer="Adoption West (demo) is a company owned by Bath & North East Somerset, "
    "Bristol, Gloucestershire, North Somerset, South Gloucestershire and Wiltshire councils, "
    f"and assesses adopters itself. {_SYNTHETIC}",
    assesses_adopters=True,
    # Source 003 names the six councils. It gives no funding split: these shares are
    # illustrative (roughly by the size of each council's looked-after population).
    partners=(
        DemoPartner(
            "Bath & North East Somerset Council",
            "BNES",
            "Bath & North East Somerset",
            Decimal(11),
            profile=1,
            scale=80,
        ),
        DemoPartner("Bristol City Council", "BCC", "Bristol", Decimal(25), scale=115),
        DemoPartner("Gloucestershire County Council", "GCC", "Gloucestershire", Decimal(22)),
        DemoPartner(
            "North Somerset Council", "NSC", "North Somerset", Decimal(10), profile=1, scale=85
        ),
        DemoPartner(
            "South Gloucestershire Council",
            "SGC",
            "South Gloucestershire",
            Decimal(12),
            profile=1,
            scale=95,
        ),
        DemoPartner("Wiltshire Council", "WC", "Wiltshire", Decimal(20), scale=90),
    ),
    accounts=_staff(
        "Jo Tremlett",
        "Kamala Singh",
        "Ben Carter",
        "Alex Hartley",
        ("BNES",),
        "Pauline Granger",
        "Devon Ashby",
        "Patrick Oduya",
    ),
    # Each council its own primary and deputy ADM, each scoped to that council only.
    adms=(
        DemoAdm("Alex Hartley", "adm@demo.example", "Director of Children's Services", ("BNES",)),
        DemoAdm(
            "Simone Achebe",
            "deputy.bnes@demo.example",
            "Head of Children's Social Care",
            (),
            ("BNES",),
        ),
        DemoAdm(
            "Marcus Oyelaran", "adm.bcc@demo.example", "Director of Children and Families", ("BCC",)
        ),
        DemoAdm(
            "Jenny Callow", "deputy.bcc@demo.example", "Head of Children in Care", (), ("BCC",)
        ),
        DemoAdm(
            "Ian Whitcombe", "adm.gcc@demo.example", "Director of Children's Services", ("GCC",)
        ),
        DemoAdm(
            "Priti Desai", "deputy.gcc@demo.example", "Head of Corporate Parenting", (), ("GCC",)
        ),
        DemoAdm(
            "Claire Penrose",
            "adm.nsc@demo.example",
            "Assistant Director, Children's Care",
            ("NSC",),
        ),
        DemoAdm(
            "Tobias Ward", "deputy.nsc@demo.example", "Head of Children's Services", (), ("NSC",)
        ),
        DemoAdm(
            "Ruth Ashdown",
            "adm.sgc@demo.example",
            "Director of Children, Adults and Health",
            ("SGC",),
        ),
        DemoAdm(
            "Kieran Moss",
            "deputy.sgc@demo.example",
            "Head of Integrated Children's Services",
            (),
            ("SGC",),
        ),
        DemoAdm(
            "Gareth Llewellyn", "adm.wc@demo.example", "Director of Families and Children", ("WC",)
        ),
        DemoAdm(
            "Beth Sanderson",
            "deputy.wc@demo.example",
            "Head of Support and Safeguarding",
            (),
            ("WC",),
        ),
    ),
    # The agency decides the approvals of the adopters it assessed: see adm.demo's
    # _assign_agency_adms.
    agency_adms=(
        DemoAdm("Lorna Quayle", "adm.agency@demo.example", "Director, Adoption West"),
        DemoAdm(
            "Hamid Rahimi",
            "deputy.agency@demo.example",
            "Head of Adopter Recruitment and Assessment",
        ),
    ),
    head_of_service_email="head.of.service@demo.example",
    venue="Meeting Room 1, Example House, Temple Way, Bristol",
    phone="0117 496 0{n:03d}",
    board=(
        DemoBoardMember(
            "Pauline Granger",
            "chair@demo.example",
            "chair",
            "WC",
            "Corporate Director, People",
            "Sean Hollis",
            "sean.hollis@demo.example",
        ),
        DemoBoardMember(
            "Imogen Thorne",
            "imogen.thorne@demo.example",
            "vice_chair",
            "BCC",
            "Director of Children and Families",
        ),
        DemoBoardMember(
            "Devon Ashby",
            "board@demo.example",
            "finance",
            "GCC",
            "Head of Finance, Children's Services",
            "Amy Rudd",
            "amy.rudd@demo.example",
        ),
        DemoBoardMember(
            "Nikhil Menon",
            "nikhil.menon@demo.example",
            "finance",
            "BCC",
            "Finance Business Partner",
        ),
        DemoBoardMember(
            "Harriet Cole",
            "harriet.cole@demo.example",
            "commissioning",
            "SGC",
            "",
            "Liam Forde",
            "liam.forde@demo.example",
        ),
        DemoBoardMember("Owain Pritchard", "owain.pritchard@demo.example", "commissioning", "BCC"),
        DemoBoardMember(
            "Lorna Quayle",
            "adm.agency@demo.example",
            "operational",
            None,
            "Director, Adoption West",
        ),
        DemoBoardMember(
            "Maya Collins", "maya.collins@demo.example", "adopter_representative", None
        ),
        DemoBoardMember(
            "Rebecca Strand",
            "rebecca.strand@demo.example",
            "other",
            "BNES",
            "Director of Children's Services",
            "Tom Elwood",
            "tom.elwood@demo.example",
        ),
        DemoBoardMember(
            "Graham Fuller",
            "graham.fuller@demo.example",
            "other",
            "NSC",
            "Director of Children's Services",
            "Zara Quinn",
            "zara.quinn@demo.example",
        ),
    ),
    # Columns: the eight seats, then Bath & North East Somerset's and North Somerset's members.
    # Bristol's sixth member attends two of the last four (under 75 %); in the third-last the
    # chair and vice chair are both away, so that board is not quorate.
    attendance=(
        "PPPPPPPAPP",
        "PPPAPPPPPP",
        "PAPPDPPPPD",
        "PPPPPAPPDP",
        "PPPPPAPPPP",
        "AAPPPXPPPP",
        "PPDPPPPPPP",
        "PPPPPPPAPD",
    ),
    board_location="Boardroom, Example House, Temple Way, Bristol, or Microsoft Teams",
    agreement_title="Adoption West shareholders' and partnership agreement",
    agreement_ends_on=date(2029, 10, 31),  # illustrative: the sources give no term
    base_budget=Decimal("9850000.00"),  # illustrative: the sources give no budget
)

BEDS_MK = Shape(
    key="cbmk",
    name="Central Bedfordshire and Milton Keynes Adoption (demo)",
    short_name="CBMK",
    legal_form=LegalForm.HOSTED,
    # The host council's offices (source 004: "CBC hosting it"); the contacts are fictional.
    address="Priory House\nMonks Walk\nChicksands\nShefford",
    postcode="SG17 5TQ",
    telephone="01632 960200",
    email="adoption@cbmk.demo.example",
    website="https://cbmk.demo.example",
    registered_manager="Rowena Birch",
    letterhead_footer="Central Bedfordshire and Milton Keynes Adoption (demo) is hosted by "
    f"Central Bedfordshire Council for Central Bedfordshire and Milton Keynes. {_SYNTHETIC}",
    assesses_adopters=False,
    # Source 004 gives no funding split ("pooled funding"): these shares are illustrative.
    partners=(
        DemoPartner(
            "Central Bedfordshire Council",
            "CBC",
            "Central Bedfordshire",
            Decimal(52),
            True,
            scale=70,
        ),
        DemoPartner(
            "Milton Keynes City Council", "MKC", "Milton Keynes", Decimal(48), profile=1, scale=160
        ),
    ),
    accounts=_staff(
        "Lewis Grant",
        "Meera Joshi",
        "Hollie Dunn",
        "Karen Whitlow",
        ("CBC", "MKC"),
        "Stephen Ware",
        "Abigail Noon",
        "Sian Morgan",
    ),
    adms=(
        DemoAdm(
            "Karen Whitlow",
            "adm@demo.example",
            "Director of Children's Services",
            ("CBC",),
            ("MKC",),
        ),
        DemoAdm(
            "Martin Ellery",
            "deputy.cbc@demo.example",
            "Assistant Director, Children's Services",
            (),
            ("CBC",),
        ),
        DemoAdm(
            "Sunita Bhatt", "adm.mkc@demo.example", "Director of Children's Services", ("MKC",)
        ),
    ),
    agency_adms=(),
    head_of_service_email="rowena.birch@demo.example",  # also the board's operational member
    venue="Council Chamber, Priory House, Chicksands",
    phone="01632 960{n:03d}",
    board=(
        DemoBoardMember(
            "Stephen Ware",
            "chair@demo.example",
            "chair",
            "CBC",
            "Assistant Director, Children's Services",
            "Jade Mercer",
            "jade.mercer@demo.example",
        ),
        DemoBoardMember(
            "Farid Nazari",
            "farid.nazari@demo.example",
            "vice_chair",
            "MKC",
            "Head of Children in Care",
        ),
        DemoBoardMember(
            "Abigail Noon", "board@demo.example", "finance", "CBC", "Finance Business Partner"
        ),
        DemoBoardMember(
            "Gemma Sutton", "gemma.sutton@demo.example", "finance", "MKC", "Strategic Finance"
        ),
        DemoBoardMember(
            "Victor Adebayo",
            "victor.adebayo@demo.example",
            "commissioning",
            "CBC",
            "",
            "Holly Brennan",
            "holly.brennan@demo.example",
        ),
        DemoBoardMember("Lucy Hammond", "lucy.hammond@demo.example", "commissioning", "MKC"),
        DemoBoardMember(
            "Rowena Birch", "rowena.birch@demo.example", "operational", "CBC", "Head of the RAA"
        ),
        DemoBoardMember("Callum Reid", "callum.reid@demo.example", "adopter_representative", None),
    ),
    attendance=_TWO_COUNCIL_ATTENDANCE,
    board_location="Room 14, Priory House, Chicksands, or Microsoft Teams",
    agreement_title="Central Bedfordshire and Milton Keynes regional adoption agency agreement",
    agreement_ends_on=date(2029, 3, 31),  # illustrative: the sources give no term
    base_budget=Decimal("2980000.00"),  # illustrative: the sources give no budget
)

SHAPES: dict[str, Shape] = {s.key: s for s in (CP, ADOPTION_WEST, BEDS_MK)}


async def loaded() -> Shape:
    """The shape of the demo agency in the database (C&P when there is none, or it is not one)."""
    row = await Agency.select(Agency.short_name).first()
    found = {s.short_name: s for s in SHAPES.values()}
    return found.get(row["short_name"], CP) if row else CP
