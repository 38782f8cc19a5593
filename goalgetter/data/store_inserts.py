"""Fix 16 of store_patches.py: the wire `insert` command of several documents inserts them as
one batch.

The released command inserts its documents one `insert_one` at a time, each a transaction of
its own with its copies, checks and change record, although the collection's own
`insert_many` hands the engine the whole batch at once (and still reports each document's
error by its index). In one process, 25 mails at a time: 1.0 ms a mail one by one, 0.4 ms as
a batch. A scheduler tick queues its reminders and invitations with one `insert_many`.

The batch path is taken only where its answer is the released one (checked by
tests/integration/test_store_patches.py): two or more documents, each with a str or ObjectId
`_id` (no id is rejected or generated). Its per-document errors (a duplicate key, a failed
validation) become the command's write errors with the same index, code, message and key
details, without the document itself, as the released command reports them. Should the batch
fail as a whole before storing anything (a value the engine cannot store), the released
path runs instead, so each document gets its own answer as before.
"""

from __future__ import annotations

from mongoeco.api._async._database_admin_write_commands import (
    DatabaseAdminWriteCommandService,
    _write_command_result,
)
from mongoeco.api._async._write_command_validation import write_command_acknowledged
from mongoeco.api._command_bson import command_boolean
from mongoeco.errors import BulkWriteError, OperationFailure, WriteError
from mongoeco.types import WriteCommandResult, WriteErrorEntry

from goalgetter.data.store_keyed import is_plain_id

REPORTED = frozenset({"index", "code", "errmsg", "op"})  # the rest of an error is its details


def batchable(documents: object) -> bool:
    """Two or more documents, each with an `_id` the engine takes as it is."""
    return (
        isinstance(documents, list)
        and len(documents) > 1
        and all(type(d) is dict and is_plain_id(d.get("_id")) for d in documents)
    )


def write_errors(details: dict) -> list[WriteErrorEntry]:
    """insert_many's per-document errors as the released command reports them."""
    return [
        WriteErrorEntry(
            index=error["index"],
            code=error.get("code"),
            errmsg=error["errmsg"],
            details={k: v for k, v in error.items() if k not in REPORTED} or None,
        )
        for error in details.get("writeErrors", [])
    ]


def patch_batched_inserts() -> None:
    released = DatabaseAdminWriteCommandService.command_insert

    async def command_insert(self, spec, *, session=None):
        documents = spec.get("documents")
        if not batchable(documents):
            return await released(self, spec, session=session)
        admin = self._admin
        name = admin._require_collection_name(spec.get("insert"), "insert")
        documents = admin._normalize_insert_documents(documents)
        ordered = admin._normalize_ordered_from_command(spec.get("ordered"))
        bypass = spec.get("bypassDocumentValidation", False)
        bypass = command_boolean(bypass, "bypassDocumentValidation", numeric=True)
        acknowledged = write_command_acknowledged(spec, dialect=admin._mongodb_dialect.key)
        collection = admin._database.get_collection(name)
        try:
            await collection.insert_many(
                documents, ordered=ordered, bypass_document_validation=bypass, session=session
            )
            result = WriteCommandResult(count=len(documents))
        except BulkWriteError as error:
            errors = write_errors(error.details)
            result = WriteCommandResult(count=error.details["nInserted"], write_errors=errors)
        except (WriteError, OperationFailure, TypeError, ValueError):
            ids = [document["_id"] for document in documents]
            if await collection.find_one({"_id": {"$in": ids}}, {"_id": 1}, session=session):
                raise
            return await released(self, spec, session=session)
        return _write_command_result(result, acknowledged=acknowledged)

    DatabaseAdminWriteCommandService.command_insert = command_insert
