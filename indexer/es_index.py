"""The Elasticsearch posts index behind its alias: created, migrated between mapping versions,
dropped.

On start the index template `<alias>-template` and the first index `<alias>-v<N>` (with the alias
as its write index) are created if missing, idempotently, so several processes may start at once.
An index of an older mapping version behind the alias is migrated in place: made read-only, its
posts re-indexed into `<alias>-v<N>`, the alias moved there and the old index deleted; a start
interrupted half-way does it again.
"""

from __future__ import annotations

import logging

from elasticsearch import ApiError, Elasticsearch

from core.batches import batched
from indexer.base import StoreError, UpsertResult
from indexer.documents import post_ts
from indexer.es_bulk import CHUNK, bulk, merge, scan
from indexer.es_dsl import MAPPING_VERSION, template_body, to_document
from indexer.es_errors import es_errors, reason_type

log = logging.getLogger("tousu.indexer")


def ensure_index(client: Elasticsearch, alias: str, *, shards: int, replicas: int,
                 service: str) -> None:
    """The template and `<alias>-v<MAPPING_VERSION>` behind the alias, created or migrated to."""
    es = client.options(ignore_status=())
    with es_errors(service, "create the index"):
        es.indices.put_index_template(name=f"{alias}-template",
                                      **template_body(f"{alias}-v*", shards, replicas))
        wanted = f"{alias}-v{MAPPING_VERSION}"
        if es.indices.exists_alias(name=alias):
            current = list(es.indices.get_alias(name=alias))
            if wanted in current:
                return
            older = [name for name in current if index_version(name, alias) < MAPPING_VERSION]
            if len(older) != 1 or len(current) != 1:
                raise StoreError(f"{service}: the alias points at {current}; expected one "
                                 f"index {alias}-v<N> with N <= {MAPPING_VERSION}")
            _migrate(es, alias, older[0], wanted, service)
            return
        if es.indices.exists(index=alias):
            raise StoreError(f"{service}: {alias!r} is an index, not an alias; "
                             "rename it or point store.index elsewhere")
        try:
            es.indices.create(index=wanted, aliases={alias: {"is_write_index": True}})
        except ApiError as exc:  # another process created it first
            if reason_type(exc.body) != "resource_already_exists_exception":
                raise
            es.indices.put_alias(index=wanted, name=alias)


def _migrate(es: Elasticsearch, alias: str, old: str, new: str, service: str) -> None:
    """Re-index `old` (an older mapping version) into `new` and move the alias there."""
    log.warning("%s: migrating %s to mapping version %s in %s", service, old, MAPPING_VERSION,
                new)
    try:
        # read-only first: a write another process makes meanwhile fails, it is not lost
        es.indices.put_settings(index=old, settings={"index.blocks.write": True})
        try:
            es.indices.create(index=new)
        except ApiError as exc:  # left by an interrupted start, or another one's
            if reason_type(exc.body) != "resource_already_exists_exception":
                raise
        copied = UpsertResult()
        for chunk in batched(scan(es, old, {"match_all": {}}, CHUNK, service), CHUNK):
            merge(copied, bulk(es, new, [
                {"_op_type": "index", "_id": post.id,
                 "_source": to_document(post, post_ts(post), post.dup_of, post.case_status)}
                for post in chunk], service))
        if copied.failed:
            es.indices.put_settings(index=old, settings={"index.blocks.write": False})
            post_id, why = next(iter(copied.failed.items()))
            raise StoreError(f"{service}: migrating {old} to {new}: {len(copied.failed)} "
                             f"posts could not be copied, first {post_id}: {why}")
        es.indices.refresh(index=new)
        es.indices.update_aliases(actions=[
            {"remove": {"index": old, "alias": alias}},
            {"add": {"index": new, "alias": alias, "is_write_index": True}}])
        es.indices.delete(index=old)
    except (ApiError, StoreError):  # a process starting at the same time may have done it
        if new not in list(es.options(ignore_status=404).indices.get_alias(name=alias)):
            raise
    log.warning("%s: %s migrated to %s (%d posts)", service, old, new,
                es.count(index=new)["count"])


def drop_index(client: Elasticsearch, alias: str, service: str) -> None:
    """Delete the alias's indices and the template (tests and benchmarks)."""
    with es_errors(service, "list indices"):
        indices = client.indices.get_alias(name=alias)
    with es_errors(service, "delete indices"):
        client.indices.delete(index=",".join(indices))
    with es_errors(service, "delete template"):
        client.indices.delete_index_template(name=f"{alias}-template")


def index_version(index: str, alias: str) -> int:
    """The mapping version in an index name `<alias>-v<N>`, else one beyond this code's."""
    prefix = f"{alias}-v"
    suffix = index[len(prefix):]
    return int(suffix) if index.startswith(prefix) and suffix.isdigit() else MAPPING_VERSION + 1
