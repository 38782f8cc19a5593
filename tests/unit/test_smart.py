"""SMART analysis of goal texts: each letter passing and failing on realistic goals."""

from __future__ import annotations

import pytest

from goalgetter.domain.smart import SmartCheck, SmartReport, analyse_goal

MARATHON = (
    "Run the Berlin marathon in under 4 hours by 2027-09-26 because I want to prove to "
    "myself I can; I will train 4 times per week"
)


def passed(title: str, content: str = "") -> set[str]:
    return set(analyse_goal(title, content).letters)


def test_vague_goal_fails_specific_measurable_and_time_bound():
    report = analyse_goal("Get fitter", "")
    assert {"S", "M", "T"} <= {check.letter for check in report.missing}
    assert report.score == 0
    assert report.letters == ""


def test_full_smart_goal_passes_every_letter():
    report = analyse_goal("Berlin marathon", MARATHON)
    assert report.letters == "SMART"
    assert report.score == 5
    assert report.missing == ()


def test_report_keeps_the_smart_order_and_fields():
    report = analyse_goal("Get fitter", "")
    assert [check.letter for check in report.checks] == list("SMART")
    assert [check.name for check in report.checks] == [
        "Specific",
        "Measurable",
        "Achievable",
        "Relevant",
        "Time-bound",
    ]
    for check in report.checks:
        assert isinstance(check, SmartCheck)
        assert check.hint.strip()
        assert check.question.strip().endswith(("?", "."))


def test_report_properties_follow_the_checks():
    checks = (
        SmartCheck("S", "Specific", True, "h", "q"),
        SmartCheck("M", "Measurable", False, "h", "q"),
        SmartCheck("A", "Achievable", True, "h", "q"),
        SmartCheck("R", "Relevant", False, "h", "q"),
        SmartCheck("T", "Time-bound", True, "h", "q"),
    )
    report = SmartReport(checks)
    assert report.score == 3
    assert report.letters == "SAT"
    assert [check.letter for check in report.missing] == ["M", "R"]


def test_analysis_is_deterministic():
    assert analyse_goal("Marathon", MARATHON) == analyse_goal("Marathon", MARATHON)


# --- S: specific -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "content"),
    [
        ("Promotion", "Get promoted to senior engineer at my company"),
        ("Novel", "Write the first draft of my fantasy novel"),
    ],
)
def test_specific_passes_for_a_concrete_sentence(title, content):
    assert "S" in passed(title, content)


@pytest.mark.parametrize(
    ("title", "content"),
    [
        ("Lose weight", ""),
        ("Be a better person", ""),
        ("Be happier", "I want to be happier and do more good things"),
        ("Improve", "improve my mood in general somehow, maybe, things"),
    ],
)
def test_specific_fails_for_short_or_vague_text(title, content):
    assert "S" not in passed(title, content)


# --- M: measurable -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "Save 5000 euros for a deposit",
        "Read twelve books",
        "Read forty books",
        "Lose fifteen kilos",
        "Cut my screen time by 50%",
        "Call my grandmother twice a month",
    ],
)
def test_measurable_passes_for_digits_number_words_and_percentages(content):
    assert "M" in passed("Goal", content)


@pytest.mark.parametrize(
    "content",
    ["Get fitter", "Be a better person and improve my life", "Write my novel someday"],
)
def test_measurable_fails_without_any_quantity(content):
    assert "M" not in passed("Goal", content)


# --- A: achievable (a plan or routine) ----------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "I will practise scales every morning",
        "I’ll go to the gym on Mondays",  # typographic apostrophe, as phones type it
        "I'm going to study after dinner",
        "Go to the gym three times a week",
        "Meditate ten minutes a day",
        "Write 500 words daily",
        "Publish the app:\n- design the screens\n- build the backend\n- launch it",
        "Launch the app:\n1. design\n2. build\n3. ship",
    ],
)
def test_achievable_passes_with_a_routine_plan_or_steps(content):
    assert "A" in passed("Goal", content)


@pytest.mark.parametrize(
    "content",
    ["Run a marathon in under 4 hours", "Save 5000 euros", "- only one bullet here"],
)
def test_achievable_fails_without_a_plan(content):
    assert "A" not in passed("Goal", content)


# --- R: relevant (a reason) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "Learn Spanish because my partner's family speaks it",
        "Save 5000 euros so that we can buy a flat",
        "Reach B1 in Spanish so I can talk with my in-laws",
        "Get fit in order to keep up with my kids",
        "Learn to cook for my family",
    ],
)
def test_relevant_passes_when_a_reason_is_given(content):
    assert "R" in passed("Goal", content)


@pytest.mark.parametrize("content", ["Run 10 km by June", "Save 5000 euros before 15 June"])
def test_relevant_fails_without_a_reason(content):
    assert "R" not in passed("Goal", content)


# --- T: time-bound ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "Run 10 km by 2027-09-26",
        "Run 10 km by 26/09/2027",
        "Reach B1 in Spanish by March",
        "Save 5000 euros before 15 June",
        "Submit the thesis on June 15th",
        "Read twelve books within 6 weeks",
        "Hold a conversation in Spanish within two weeks",
        "Read forty books within a year",
        "Launch the website in Q3 2027",
        "Launch the website in Q3",
        "Run 10 km by the end of this year",
        "Finish the course by end of the month",
        "Run 10 km next month",
        "Learn to swim this summer",
        "Pay off my credit card in 2027",
        "Hand in the report by Friday",
        "The deadline is the day of my brother's wedding",
    ],
)
def test_time_bound_passes_for_dates_in_many_forms(content):
    assert "T" in passed("Goal", content)


@pytest.mark.parametrize(
    "content",
    [
        "Get fitter",
        "Learn to play guitar someday, maybe in the future",
        "Meditate ten minutes a day starting soon",
        "I may one day open a bakery",
    ],
)
def test_time_bound_fails_without_a_deadline(content):
    assert "T" not in passed("Goal", content)


# --- The product issue: reasons, time limits, specificity, "first" -------------------------


@pytest.mark.parametrize(
    "content",
    [
        "Practise Spanish every evening, so I keep learning",
        "Take the kids hiking every Saturday, since they grow up fast",
        "Do 20 minutes of yoga every morning to handle stress better",
        "Cycle to work every day to save money on the train",
    ],
)
def test_a_purpose_clause_is_a_reason(content):
    assert "R" in passed("Goal", content)


# Each phrase that gives a reason starts at a word: found after a space, a line break or an
# opening bracket, and not when it ends another word ("tobecause", "inweil").
REASON_PHRASES = (
    "because I love it", "so that I can", "in order to.", "due to my back",
    "thanks to my sister", "so I keep going", "since I feel better", "for my kids",
    "for charity", "it really matters", "matters to me", "important to us", "means a lot",
    "my motivation", "reason is simple", "why: energy", "that's why", "which will help",
    "parce que", "porque", "weil", "damit", "perché", "потому что", "чтобы",
)  # fmt: skip


@pytest.mark.parametrize("phrase", REASON_PHRASES)
def test_a_reason_phrase_counts_only_at_the_start_of_a_word(phrase):
    for before in ("Walk daily ", "Walk daily\n", "Walk daily ("):
        assert "R" in passed("Goal", before + phrase), repr(before + phrase)
    assert "R" not in passed("Goal", "Walk daily zz" + phrase), phrase


@pytest.mark.parametrize(
    "content",
    [
        "Sleep 8 hours a night, so far I manage 6",
        "Run 5 km every Sunday, like I have done since 2019",
        "Learn to handle stress at work",
        "I need to save money",
        "Cycle to work three days a week, no rush to start",
        "Stretch every morning. Not sure why, no particular reason.",
    ],
)
def test_look_alikes_of_a_reason_are_not_one(content):
    assert "R" not in passed("Goal", content)


@pytest.mark.parametrize(
    "content",
    [
        "Eat no added sugar for the next 60 days",
        "Do 50 push-ups every day for 8 weeks in a row",
        "Go to the gym three times a week starting next Monday",
        "Practise piano 15 minutes a day from January",
        "Take one photo every day for a year",
        "Write my best-man speech before my brother's wedding",
    ],
)
def test_durations_start_dates_and_events_are_time_limits(content):
    assert "T" in passed("Goal", content)


@pytest.mark.parametrize(
    "content",
    [
        "I have wanted to play guitar for years",
        "Meditate for 10 minutes after I wake up",
        "Run a half marathon in under two hours",
        "Learn ten songs on the guitar. No deadline yet.",
        "Swim 1 km twice a week due to my knee injury",
        "Visit Japan one day",
    ],
)
def test_look_alikes_of_a_time_limit_are_not_one(content):
    assert "T" not in passed("Goal", content)


@pytest.mark.parametrize(
    "title", ["Climb Kilimanjaro", "Meditate daily", "Learn Spanish", "Floss every night"]
)
def test_a_short_concrete_goal_is_specific(title):
    assert "S" in passed(title)


@pytest.mark.parametrize(
    ("title", "content"),
    [
        ("Be a better manager", "Be a better manager because my team deserves it"),
        ("Reading", "Read more books"),
        ("Gym", "Go to the gym more often"),
        ("Life", "I want to be more organised, be happier and have more energy, and generally "
         "get my life together, feel better about myself and do more of what I enjoy."),
    ],
)  # fmt: skip
def test_a_long_or_wordy_vague_goal_is_not_specific(title, content):
    assert "S" not in passed(title, content)


def test_first_in_my_first_marathon_is_not_a_plan():
    assert passed("Run my first marathon") == {"S", "M"}
    assert "A" in passed("Novel", "First step: write 300 words every morning")


# --- Edge input ---------------------------------------------------------------------------


def test_empty_title_and_content_fail_everything():
    report = analyse_goal("", "")
    assert report.score == 0
    assert len(report.missing) == 5


def test_whitespace_only_fails_everything():
    assert analyse_goal("   ", "\n\t \n").score == 0


def test_accented_text_is_analysed_without_crashing():
    report = analyse_goal("Café à Montréal", "Ouvrir un café à Montréal, parce que c'est mon rêve")
    assert "S" in report.letters  # accented words count as words
    assert report.score <= 5


def test_non_latin_words_count_towards_specific():
    assert "S" in passed("Марафон", "Пробежать марафон в Берлине вместе с моим братом")


def test_title_and_content_are_read_together():
    assert "T" in passed("Marathon by 2027-09-26", "Run it")
    assert "T" in passed("Marathon", "Run it by 2027-09-26")


@pytest.mark.parametrize(
    "filler",
    ["\n", " ", "a", "1", "- x\n", "by the next ", "'", "é"],
    ids=["newlines", "spaces", "letters", "digits", "bullets", "phrases", "quotes", "accents"],
)
def test_one_megabyte_of_input_still_returns_a_report(filler):
    content = filler * (1_000_000 // len(filler))
    report = analyse_goal("Huge", content)
    assert isinstance(report, SmartReport)
    assert len(report.checks) == 5


def test_huge_goal_still_finds_a_deadline_at_the_end():
    content = "\n" * 500_000 + "Run 10 km by 2027-09-26"
    assert "T" in passed("Huge", content)


def test_a_deadline_set_on_the_goal_makes_it_time_bound():
    text = "I will run 10 km three times a week because I want to feel strong."
    assert "T" not in analyse_goal("Run", text).letters
    assert "T" in analyse_goal("Run", text, "2027-06-30").letters
    assert "T" not in analyse_goal("Run", text, "").letters
