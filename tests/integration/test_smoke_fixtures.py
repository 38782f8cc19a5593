import anthropic
import redis

from goalgetter.data import chat_messages


async def test_fixtures_answer(db, redis_url, fake_claude):
    from bson import ObjectId

    user = ObjectId()
    ref = await chat_messages.append_message(user, "user", "hello")
    assert ref.index == 0
    assert redis.Redis.from_url(redis_url).ping()
    client = anthropic.AsyncAnthropic(api_key="k", base_url=fake_claude.url, max_retries=0)
    async with client.messages.stream(
        model="m", max_tokens=10, messages=[{"role": "user", "content": "hi there"}]
    ) as stream:
        text = "".join([t async for t in stream.text_stream])
        final = await stream.get_final_message()
    assert "hi there" in text
    assert final.usage.output_tokens > 1
