"""Display labels shared by the engine's charts and the pages."""

ANCHOR_TYPES = {
    "council": "Council",
    "nhs_trust": "NHS trust",
    "university": "University",
    "fe_college": "FE college",
    "housing_association": "Housing association",
    "police": "Police",
    "fire": "Fire and rescue",
    "other": "Other",
}
