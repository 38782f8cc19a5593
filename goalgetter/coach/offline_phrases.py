"""What the offline coach says, in several ways each (goalgetter/coach/offline.py picks one)."""

from __future__ import annotations

# "pool: one way | another way": a pool may go on over several lines. Two or three ways to
# say each thing, so a reply never has to repeat the last; {name} and {label} are filled in.
_PHRASES = """
ask.S: What exactly will you do? Paint it so clearly that a stranger could see it.
ask.S: If I followed you around, what would I see you doing?
ask.S: What does done look like, in one concrete sentence?
ask.M: What number will tell you that you've made it?
ask.M: How will you measure it: how much, how many, how often?
ask.M: What could you count each week to know you're on track?
ask.T: When will this be done? Name the date. | What's your deadline: which date do you commit to?
ask.T: By what date will you have it?
ask.R: Why does this matter so much to you? | Who are you doing this for, and why now?
ask.R: What will reaching it give you that you don't have today?
ask.A: What's the routine or first step that makes this happen?
ask.A: What will you actually do each week to get there? | Which habit will carry you there?
lead: Next, let's make it **{letter}**. | Now for **{letter}**. | Let's work on **{letter}**.
first_action: So: what is the very first action you will take in the next 48 hours?
first_action: What's the first action you'll take in the next 48 hours to set it in motion?
first_action: Now tell me: what will you do in the next 48 hours to start?
next_step: What's the next step after that? | And once that's done, what's the next step?
small_step.goal_setting: What's the smallest step you could take in the next 48 hours?
small_step.goal_setting: So tell me: what's the smallest step you'd commit to, even ten minutes?
small_step.goal_setting: What's the smallest step that would prove to you that you can?
small_step.tracking: What's the smallest step that gets you moving again?
small_step.tracking: What's the smallest step you can commit to right now?
after_action: What could get in the way, and what will you do if it does?
after_action: Who will you tell, so someone holds you to it?
after_action: How will you reward yourself when it's done?
next_commitment: What's your next commitment, to build on this? | What's the next commitment?
reframe.time: Here's the truth: nobody finds time. We make it, ten minutes at a time.
reframe.time: Busy is real. But this needs a step small enough for the day you actually have.
reframe.failure: Your past is not your future. Every attempt taught you something.
reframe.failure: Trying before isn't failing: it's training. You know what doesn't work.
reframe.hard: Of course it feels hard: that's how you know it matters. Nobody climbs it in a jump.
reframe.hard: Big goals feel heavy when you stare at the whole mountain. Look at the next step.
reframe.doubt: You don't have to be sure yet. Certainty comes from action, not before it.
reframe.doubt: Doubt just means you care. Confidence is built one kept promise at a time.
off.joke: My favourite joke: a wish and a goal walk into a bar. Only one has a deadline.
off.joke: I'll leave comedy to the pros, {name}. My only punchline: you at the finish line.
off.weather: I can't see your sky from here, {name}, but I can see your goals.
off.weather: Whatever the weather, {name}, your goals don't take the day off.
off.other: That's outside my lane, {name}: I'm your goal coach. | Goals are my lane, {name}.
greeting: Hi {name}, great to have you here! | Hello {name}! Let's get to work.
greeting: Hey {name}, welcome!
thanks: You're welcome, {name}! | Any time, {name}. | My pleasure, {name}.
empty: Let's keep it simple, {name}. | One thing at a time, {name}.
steer: Back to {label}. | Let's keep building {label}. | Now, {label}.
question: Straight answer, {name}: {label} has heart, and it can be sharper.
question: Here's my honest take, {name}: {label} is a start, so let's make it real.
content: Let's sharpen {label}, {name}. | I'm with you on {label}, {name}.
content: {Label} is a start, {name}, and starting is what most people never do.
heard: Now we're talking, {name}! | Yes, {name}! | I hear you, {name}.
cheer: Now THAT is a goal, {name}! | YES, {name}! That's a real commitment.
cheer: This is what a goal looks like, {name}!
settled: Good thinking, {name}. | Noted, {name}: you've thought it through.
action: Love it, {name}: | That's a real step, {name}: | Good, {name}:
moved: That makes it {letters}. | Now it's {letters}.
invite: Write your first goal on the left. What's one thing you'd love to have done a year from now?
invite: Let's start: write your first goal on the left. What would make this year unforgettable?
track_ask: Where are you on {label}: what moved, and what got in the way?
track_ask: Tell me the story of {label}: what moved, and what got in the way?
win: That's how goals get won: one kept promise at a time. | Feel that: momentum, and you built it.
setback: A setback is information, not a verdict. | Every champion has weeks like this.
mixed: The win counts, and the miss is information. | Keep the win, learn from the miss.
number: thank you for the number, {name}. | numbers don't lie, {name}.
"""


def _phrasebook(text: str) -> dict[str, tuple[str, ...]]:
    book: dict[str, list[str]] = {}
    for line in text.strip().splitlines():
        pool, phrases = line.split(": ", 1)
        book.setdefault(pool, []).extend(phrase.strip() for phrase in phrases.split(" | "))
    return {pool: tuple(phrases) for pool, phrases in book.items()}


BOOK = _phrasebook(_PHRASES)
