"""The store's copy of the status vocabulary, kept equal to the one the status extractor uses."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from extractors.lib.vocabulary import Vocabulary
from models import StatusLabel


def sync_vocabulary(engine: Engine, vocabulary: Vocabulary) -> bool:
    """Make the store's ``status_vocabulary`` table the vocabulary the extractor uses (one transaction).

    Analysts query it (``unpipe status --unmapped`` lists what it lacks). Returns whether it changed.
    """
    wanted = {
        (label.organization, label.language, label.label): (label.acceptance, label.implementation)
        for label in vocabulary.labels
    }
    with Session(engine) as session, session.begin():
        stored = {
            (row.organization, row.language, row.label): (row.acceptance, row.implementation)
            for row in session.scalars(select(StatusLabel))
        }
        if stored == wanted:
            return False
        session.execute(delete(StatusLabel))
        session.add_all(
            StatusLabel(organization=org, language=lang, label=label, acceptance=acc, implementation=impl)
            for (org, lang, label), (acc, impl) in wanted.items()
        )
        return True
