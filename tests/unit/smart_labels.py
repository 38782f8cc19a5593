"""Goals labelled by hand, letter by letter, as a careful reader judges them.

`expected` spells the five verdicts in SMART order: the letter where it passes, "-" where it
fails ("SM--T" = specific, measurable, time-bound; no plan, no reason). The rules each letter
follows are written in goalgetter/domain/smart.py's docstring; `note` says why where a case
is subtle. Labels were written from reading the goal, never from the checker's output.
"""

from __future__ import annotations

from typing import NamedTuple

from goalgetter.domain.smart import analyse_goal

LETTERS = "SMART"


class Label(NamedTuple):
    title: str
    content: str
    expected: str
    note: str = ""
    deadline: str | None = None


class Disagreement(NamedTuple):
    label: Label
    letter: str
    expected: bool
    got: bool


def verdicts(label: Label) -> str:
    """What the checker says, spelled like `Label.expected`."""
    report = analyse_goal(label.title, label.content, label.deadline)
    return "".join(check.letter if check.passed else "-" for check in report.checks)


def disagreements(labels: list[Label]) -> list[Disagreement]:
    found = []
    for label in labels:
        for letter, expected, got in zip(LETTERS, label.expected, verdicts(label), strict=True):
            if expected != got:
                found.append(Disagreement(label, letter, expected != "-", got != "-"))
    return found


def agreement(labels: list[Label]) -> dict[str, float]:
    """Share of verdicts that match the labels, per letter and "overall"."""
    missed = disagreements(labels)
    shares = {
        letter: 1 - sum(d.letter == letter for d in missed) / len(labels) for letter in LETTERS
    }
    shares["overall"] = 1 - len(missed) / (len(labels) * len(LETTERS))
    return shares


# Inputs built to make a backtracking pattern explode, each ADVERSARIAL_CHARS long.
ADVERSARIAL_CHARS = 20_000
ADVERSARIAL_UNITS = (
    "by the end of ", " ", "\n", "\t \n", "1.", "1 ", "a1", "a\t", "- \n", "’", "aaaa’",
    "for my ", "no ", "not a ", "to be ", "so ", ", so ", "since it ", "every ", "in the next ",
    "before my ", "run the ", "12/", "2027-", "€ ", "## why\n",
)  # fmt: skip


def adversarial(unit: str) -> str:
    return (unit * (ADVERSARIAL_CHARS // len(unit) + 1))[:ADVERSARIAL_CHARS]


LONG_DIARY = "Today I ran along the canal and it felt fine, a bit slow. " * 160
KITCHEN = """We want to redo the kitchen before my parents move in with us.

Budget: €15,000, saved from my bonus.
Steps:
1. Get three quotes from local builders in January
2. Pick tiles and worktops with Sam
3. Book the builder for April

The old kitchen leaks and the oven is dangerous, so we need this done by the end of May."""
VAGUE_ESSAY = (
    "Lately everything feels like too much. I want to be more organised, be happier, feel "
    "better about myself and have more energy. I'd like to do more of the things I enjoy and "
    "less of the things that drain me. Maybe I should exercise more and eat better. I want to "
    "be a better friend and a better partner too, and generally get my life together."
)

# fmt: off
LABELS: list[Label] = [
    # --- The product issue's hard cases, and the look-alikes that must fail ---
    Label("Spanish", "Practise Spanish on Duolingo every evening, so I keep learning", "SMAR-",
          "a reason in a purpose clause after a comma"),
    Label("Weekends with the kids", "Take the kids hiking every Saturday, since they grow up "
          "fast", "SMAR-", "'since' + clause is a reason, not a time"),
    Label("Yoga", "Do 20 minutes of yoga every morning to handle stress better", "SMAR-",
          "'to handle stress' is why; 'better' sits in the reason, not in the goal"),
    Label("Stress", "Learn to handle stress at work", "-----",
          "handling stress is the goal itself, and says no action"),
    Label("Sleep", "Sleep 8 hours a night, so far I manage 6", "SMA--",
          "'so far' is not a reason"),
    Label("Running streak", "Run 5 km every Sunday, like I have done since 2019", "SMA--",
          "'since 2019' is the past: neither a reason nor a time limit"),
    Label("Cut sugar", "Eat no added sugar for the next 60 days", "SM--T",
          "a duration is a time limit"),
    Label("Push-ups", "Do 50 push-ups every day for 8 weeks in a row", "SMA-T"),
    Label("Gym", "Go to the gym three times a week starting next Monday", "SMA-T",
          "a start date bounds it in time"),
    Label("Piano", "Practise piano 15 minutes a day from January", "SMA-T"),
    Label("Guitar", "I have wanted to play guitar for years", "S----",
          "'for years' is how long I have wanted it, not a limit"),
    Label("Meditation", "Meditate for 10 minutes after I wake up", "SMA--",
          "'for 10 minutes' is the length of a sitting, not a deadline"),
    Label("Climb Kilimanjaro", "", "SM---",
          "short but concrete; a summit is reached or not"),
    Label("Meditate daily", "", "SMA--", "'daily' is both a measure and a routine"),
    Label("Learn Spanish", "", "S----", "clear what, but no level to measure"),
    Label("Be a better manager", "Be a better manager because my team deserves it", "---R-",
          "long enough, but 'be better' says nothing concrete"),
    Label("Be happier", "", "-----"),
    Label("Get fit", "", "-----"),
    Label("Improve myself", "I really want to improve myself and my life this year because I "
          "deserve it", "---RT"),
    Label("Run my first marathon", "", "SM---",
          "'first' here is which marathon, not a plan"),
    Label("First novel", "Finish the first draft of my first novel by December", "SM--T",
          "'finish' makes it done-or-not; 'first' is still not a plan"),
    Label("Novel", "First step: write 300 words every morning before work, then edit on "
          "Sundays", "SMA--"),
    Label("Promotion", "Get promoted to team lead", "SM---", "a promotion happens or not"),
    # --- Health ---
    Label("Lose weight", "Lose 6 kg by 1 June 2027 so I can play football with my son again. "
          "I'll cook at home five nights a week and walk 30 minutes at lunch.", "SMART"),
    Label("Lose weight", "I want to lose some weight, hopefully soon", "-----"),
    Label("Sleep", "Sleep better", "-----"),
    Label("Bedtime", "In bed by 22:30 on work nights so that I wake up rested", "SMAR-",
          "22:30 is a daily time, not a deadline"),
    Label("Water", "Drink 2 litres of water a day", "SMA--"),
    Label("Eat healthier", "Eat healthier and exercise more", "-----"),
    Label("Veggies", "Eat vegetables with every lunch and dinner for my heart", "SMAR-"),
    Label("Smoking", "Quit smoking by March", "SM--T", "smoke-free is done or not"),
    Label("10k steps", "Walk 10,000 steps a day", "SMA--"),
    Label("Knee", "Do my physio exercises every evening to get my knee strong enough for "
          "hiking", "SMAR-"),
    Label("Due to injury", "Swim 1 km twice a week due to my knee injury", "SMAR-",
          "'due to' gives the reason; it is not a due date"),
    Label("Mixed", "🎯 Run 5 km every morning 🏃 because it clears my head ✨", "SMAR-"),
    Label("Why", "## Why\nMy doctor told me my blood pressure is too high.\n## What\nWalk 45 "
          "minutes every day after lunch", "SMAR-", "a Why heading carries the reason"),
    # --- Money ---
    Label("Save money", "", "-----"),
    Label("Emergency fund", "Save €3,000 by December 2027 by setting aside 250 euros a month, "
          "so a broken boiler never puts us in debt again", "SMART"),
    Label("Debt", "Pay off my €4,200 credit card debt within 18 months", "SM--T"),
    Label("Spend less", "Spend less on takeaway food", "-----"),
    Label("Budget", "Track every expense in a spreadsheet each Sunday evening", "SMA--"),
    Label("Retirement", "Put 10% of my salary into my pension every month for our retirement",
          "SMAR-"),
    Label("Get rich", "Make more money somehow", "-----"),
    Label("Holiday jar", "Save $50 a week in a jar for our holiday in Greece next summer",
          "SMA-T", "what the money buys is part of the what, not a why"),
    Label("Saving", "I need to save money", "-----"),
    Label("Home", "Buy a two-bedroom flat in Leeds by 2029", "SM--T"),
    # --- Learning ---
    Label("Spanish B1", "Reach B1 in Spanish by March 2027 so I can talk with my in-laws. I "
          "take a lesson with my tutor every Tuesday.", "SMART"),
    Label("Improve my Spanish", "", "-----"),
    Label("Coding", "Finish the CS50 course online", "SM---"),
    Label("Reading", "Read more books", "-----", "a comparative without a number is vague"),
    Label("Reading", "Read twenty-four books this year, two a month, because reading calms me "
          "down", "SMART"),
    Label("Driving", "Pass my driving test", "SM---"),
    Label("Chess", "Get better at chess", "-----"),
    Label("Chess", "Reach a 1500 rating on Lichess by the end of the year", "SM--T"),
    Label("Learn Spanish", "Learn Spanish so I can talk to my grandmother in her own language",
          "S--R-"),
    Label("Exam", "Sit the IELTS exam on 2027/05/20 and score at least 7.0", "SM--T"),
    # --- Career ---
    Label("Career", "Work on my career", "-----"),
    Label("New job", "Apply to five UX design jobs every week until I get an offer, because I "
          "want to leave retail", "SMAR-", "'until I get an offer' names no date"),
    Label("Certification", "Pass the AWS Solutions Architect exam on 14/11/2027", "SM--T"),
    Label("Conference talk", "Submit a talk proposal to PyCon Italia before the January "
          "deadline", "SM--T"),
    Label("Network", "Network more", "-----"),
    Label("Side project", "Launch my budgeting app on the App Store:\n- finish the last two "
          "screens\n- beta test with 10 friends\n- submit for review", "SMA--"),
    Label("Mentor", "Mentor two junior developers this quarter", "SM--T"),
    Label("Website", "Launch my portfolio website soon", "SM---", "'soon' is no date"),
    # --- Family ---
    Label("Family", "Spend more time with my family", "-----"),
    Label("Family dinners", "Eat dinner together with the kids at least four nights a week, "
          "phones off, for the kids", "SMAR-"),
    Label("Grandma", "Call grandma every Sunday because she is lonely since grandpa died",
          "SMAR-"),
    Label("Date night", "Plan a date night with my wife once a month", "SMA--",
          "who it is with is not why"),
    Label("Be a better dad", "", "-----"),
    Label("Bedtime story", "Read a bedtime story to my daughter every night", "SMA--"),
    Label("Be a better mum", "Read a bedtime story to the kids every night for the next 30 "
          "days because I want them to love books", "SMART",
          "vague title, concrete body"),
    Label("Grandma's recipes", "Learn to bake pão de queijo for my Brazilian mother-in-law's "
          "visit in August", "S--RT",
          "learning has no finish line; who it is for counts as the why"),
    # --- Creative ---
    Label("Paint", "Paint 12 watercolour landscapes and show them at the village hall in "
          "October 2027", "SM--T"),
    Label("Write", "Write more", "-----"),
    Label("EP", "Record and release a 5-track EP with my band by summer 2027. We rehearse "
          "every Thursday. It matters because we've played together for ten years and never "
          "recorded anything.", "SMART"),
    Label("Knitting", "Knit two sweaters for my dad's birthday on 3 March", "SM-RT",
          "who it is for counts as the why"),
    Label("Photography", "Take one photo every day for a year and post it on my blog",
          "SMA-T"),
    Label("Sketchbook", "Fill a sketchbook with 100 drawings by December, one drawing a day, "
          "for my mental health", "SMART"),
    Label("Speech", "Write my best-man speech before my brother's wedding", "S---T",
          "an event as the deadline; 'write' is open-ended, 'finish' would measure"),
    Label("Podcast", "1. Record three pilot episodes\n2. Buy a microphone\n3. Publish the "
          "first episode on 1 March", "SMA-T"),
    # --- Very short titles, no body ---
    Label("Marathon", "", "-----", "a bare noun: no action"),
    Label("Swim", "", "-----", "an activity with nothing to do it to, or how often"),
    Label("Run 5k", "", "SM---"),
    Label("Read 12 books", "", "SM---"),
    Label("Be healthier", "", "-----"),
    Label("Write a book", "", "S----", "'write' has no finish line until it is counted"),
    # --- Numbers as words ---
    Label("Pages", "Write three pages every morning", "SMA--"),
    Label("Half marathon", "Run a half marathon in under two hours", "SM---",
          "'in under two hours' is the target time, not a deadline"),
    Label("Guests", "Host a dinner for twelve friends", "SM---",
          "the guests are part of the what"),
    Label("Steps", "Walk ten thousand steps a day", "SMA--"),
    Label("Books", "Read a dozen books before summer", "SM--T"),
    # --- Dates in several formats ---
    Label("Thesis", "Submit my thesis by 2027-06-30", "SM--T"),
    Label("Website", "Launch the shop website by Sept 15", "SM--T"),
    Label("Garden", "Build three raised beds in the garden before the 1st of April", "SM--T"),
    Label("Trip", "Visit Kyoto in spring 2028 with my sister", "SM--T",
          "a trip happens or not; company is not a reason"),
    Label("Course", "Complete the first aid course on 12.03.2027", "SM--T"),
    Label("Q4", "Ship the new onboarding flow in Q4", "SM--T"),
    Label("Half marathon", "Finish a half marathon by mid-October", "SM--T"),
    Label("Move", "Move to Lisbon in the summer of 2028", "SM--T"),
    Label("Thesis", "Finish my thesis", "SM--T", "the deadline is set on the goal",
          "2027-06-30"),
    # --- Negation and vague time ---
    Label("Guitar", "Learn ten songs on the guitar. No deadline yet.", "SM---"),
    Label("Marathon", "Run a marathon someday. I don't have a plan or a date yet, but I will "
          "get there.", "SM---"),
    Label("Stretching", "Stretch for 10 minutes every morning. Not sure why, no particular "
          "reason.", "SMA--"),
    Label("Bike", "Cycle to work three days a week, no rush to start", "SMA--"),
    Label("Yoga", "Start yoga classes at some point, whenever work calms down", "S----"),
    Label("Commute", "Cycle from home to the office", "S----", "'from home' is a place"),
    Label("Japan", "Visit Japan one day", "SM---", "'one day' means someday"),
    Label("Bakery", "I may one day open a bakery", "SM---", "'may' here is no month"),
    Label("Charity run", "Run the Great North Run for charity in September", "SM-RT"),
    Label("Cycling", "Cycle to work every day to save money on the train", "SMAR-",
          "'cycle to work' is where; 'to save money' is why"),
    Label("Gym", "Go to the gym more often", "-----"),
    # --- Non-English words ---
    Label("Café à Montréal", "Ouvrir un café à Montréal, parce que c'est mon rêve", "SM-R-",
          "French: open a café (done or not), because it is my dream"),
    Label("Deutsch lernen", "Pass the Goethe-Zertifikat B1 in June 2027, because my partner's "
          "family only speaks German", "SM-RT"),
    Label("Fika", "Have fika with my neighbour every Friday to feel less lonely", "SMAR-"),
    # --- Long bodies and bullets ---
    Label("Kitchen renovation", KITCHEN, "SMART"),
    Label("Get my life together", VAGUE_ESSAY, "-----", "long, and vague all the way"),
    Label("Get fitter", "Get fitter:\n- join the running club on Thursdays\n- swim every "
          "Saturday\n- walk to work", "SMA--", "vague title, concrete steps"),
    Label("Savings", "- save money", "-----"),
    Label("Diary", LONG_DIARY + "\nGoal: run 10 km by 2027-10-01 because my brother dares me.",
          "SM-RT", "10,000 characters of diary; 'Today' is not a deadline"),
    # --- Written after the checks first agreed, labelled before being run ---
    Label("Marathon training", "Follow a 16-week training plan for the Valencia marathon in "
          "December 2027", "SMA-T", "what the plan is for is not why"),
    Label("Declutter", "Get rid of stuff", "-----"),
    Label("Instagram", "Post less on Instagram", "-----"),
    Label("Loan", "Pay back the £2,000 I owe my brother by Christmas so we can stop avoiding "
          "each other", "SM-RT"),
    Label("Climbing", "Boulder twice a week at the local gym with my friend Tom", "SMA--"),
    Label("Better sleep", "No screens after 10pm so I fall asleep faster", "SM-R-",
          "a rule, but no routine or step to keep it"),
    Label("French", "Watch one French film a week without subtitles", "SMA--"),
    Label("Sabbatical", "Take a three-month sabbatical in 2028 to travel South America",
          "SM-RT", "'to travel' is what the sabbatical is for"),
    Label("Nutrition", "Cook a new vegetarian recipe every weekend", "SMA--"),
    Label("Mum", "Visit mum in Glasgow every other month because she's getting older", "SMAR-"),
    Label("Public speaking", "Get more comfortable with public speaking", "-----"),
    Label("Toastmasters", "Join Toastmasters and give 10 speeches by the end of 2027 to get "
          "over my fear of public speaking", "SMART"),
    Label("Garden", "Grow our own tomatoes, beans and courgettes this summer", "S---T",
          "growing has no count"),
    Label("Portfolio", "Invest 300 euros every month in an index fund for the next 10 years "
          "for my kids' future", "SMART"),
    Label("Kindness", "Be kinder to people", "-----"),
    Label("Vacation", "Take a proper holiday this year", "SM--T", "a holiday is taken or not"),
    Label("Job", "Find a new job", "SM---", "a new job is found or not"),
    Label("Side hustle", "Earn 500 euros a month from freelance design by June", "SM--T",
          "the monthly amount is the result, not a routine that gets there"),
    Label("Swim", "Swim a mile without stopping before my 50th birthday", "SM--T"),
    Label("Writing", "Write every day", "SMA--"),
    Label("Anxiety", "See a therapist every two weeks to work through my anxiety", "SMAR-"),
    Label("Allotment", "Get an allotment", "SM---"),
    # --- A second batch, also labelled before being run ---
    Label("Blog", "Publish a blog post every Friday about what I learned that week", "SMA--"),
    Label("Fitness", "Be able to do 10 pull-ups by my birthday in May", "SM--T"),
    Label("Languages", "Get better at languages", "-----"),
    Label("Cooking", "Cook dinner from scratch four times a week instead of ordering in, to "
          "save money and eat better", "SMAR-"),
    Label("Career change", "Become a registered nurse by 2030 because I want work that helps "
          "people", "SM-RT", "a new role is reached or not"),
    Label("Mindfulness", "Be more present", "-----"),
    Label("Garage", "Clear out the garage this weekend so the car fits in again", "SM-RT",
          "a one-off job with a clear end"),
    Label("Budget", "Spend no more than €400 a month on groceries", "SM---",
          "a monthly cap is the result, not a routine"),
    Label("Music", "Learn to play Clair de Lune on the piano for my mother's 70th birthday "
          "in November", "SM-RT", "one named piece, played or not"),
    Label("Hike", "Walk the West Highland Way with my dad next September", "SM--T",
          "a named trail, walked or not; company is not a reason"),
    Label("Community", "Volunteer 4 hours a month at the animal shelter because I miss "
          "having a dog", "SMAR-"),
    Label("Tax", "File my tax return before 31 January", "SM--T"),
    Label("Teeth", "Floss every night", "SMA--"),
    Label("Friends", "See friends more", "-----"),
    Label("Triathlon", "Complete an Olympic-distance triathlon in 2028. Plan: swim lessons on "
          "Tuesdays, long rides on Saturdays.", "SMA-T"),
    Label("Dog", "Adopt a rescue dog once we move into a house with a garden", "SM---",
          "'once we move' is a condition, neither a rhythm nor a date"),
    Label("Motivation", "Stay motivated", "-----"),
    Label("Coding", "Build a personal finance app in Python using Flask and deploy it on a "
          "VPS, so I have a real project to show employers by Q2 2027", "SM-RT",
          "deployed or not"),
    Label("Poetry", "Write a haiku every morning before breakfast", "SMA--"),
    Label("Run", "Run a sub-25 minute 5k by the end of summer", "SM--T"),
    Label("Weight", "Get down to 75 kg", "SM---"),
    # --- A third batch, labelled before being run, the checks left as they were ---
    Label("Podcast", "Listen to one episode of a French podcast on my commute every weekday",
          "SMA--"),
    Label("Health", "Get my cholesterol under 5 by my next check-up in April", "SM--T"),
    Label("Wealth", "Become financially independent", "-----"),
    Label("Phone", "Use my phone less", "-----"),
    Label("Marathon", "Train for the Paris marathon with a running coach, four runs a week, "
          "because my dad ran it at my age", "SMAR-", "the race date is not given"),
    Label("Reading to kids", "Read to the kids for 20 minutes every night so they fall asleep "
          "calmer", "SMAR-"),
    Label("Organise", "Get organised", "-----"),
    Label("Thesis", "Write 500 words of my thesis every weekday until the submission on 30 "
          "September", "SMA-T"),
    Label("Wine", "Drink less wine", "-----"),
    Label("Alcohol-free", "No alcohol during January to reset my habits", "SM-RT",
          "clear and countable (zero) without a verb"),
    Label("Portuguese", "Have a 10-minute conversation in Portuguese with my grandmother by "
          "her 90th birthday", "SM--T"),
    Label("Side project", "Ship something", "-----"),
    Label("Cycling", "Ride 100 km in one day before the end of the season", "SM--T"),
    Label("Confidence", "Speak up at least once in every team meeting", "SMA--",
          "every meeting is the rhythm"),
    Label("Home", "Make our home a calmer place", "-----"),
    Label("Drawing", "Draw one portrait a week in my sketchbook to get better at faces", "SMAR-"),
    Label("Money", "Pay myself first: move 15% of each paycheque into savings on payday",
          "SMA--"),
    Label("Guitar", "Play guitar", "S----"),
    Label("Run club", "Join the Tuesday run club this month", "SMA-T",
          "joining is done or not, and a first step"),
    Label("Kids", "Be more patient with the kids", "-----"),
    Label("Exam prep", "Revise two chapters a week for the bar exam in July 2028, because I "
          "failed it last year", "SMART"),
    # --- Hostile and odd input ---
    Label("", "", "-----"),
    Label("!!!", "?!... --- ***", "-----"),
    Label("   ", "\n\n\t", "-----"),
    Label("Numbers", "12345 67890", "-----", "numbers with nothing counted"),
    Label("Spam", "by the end of " * 770, "-----", "10,000 characters of a dangling phrase"),
    Label("Emoji", "🏃‍♀️🏃‍♀️🏃‍♀️ 💪", "-----"),
    Label("Spaces", " " * 10_000 + "x", "-----"),
]
# fmt: on
