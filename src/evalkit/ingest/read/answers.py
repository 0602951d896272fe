"""Answer translation: the choice names and labels of evalkit's own forms, and programme labels ending in
"[CODE]", as the cleaner reads them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from evalkit.ingest.spec import ANSWER_MAPS, RawTable, answer_key, code_from_label


def _translate_answers(table: RawTable, data: pd.DataFrame) -> None:
    """Answers of evalkit's own forms as the cleaner reads them (in place, on the distinct cells): choice names
    and labels in either language of the fields in ``spec.ANSWER_MAPS`` (SKM options by unsur, rater roles),
    and programme labels ending in "[CODE]" -> CODE."""
    maps = ANSWER_MAPS.get(table.name, {})
    for f in data.columns:
        m = maps.get(f)
        code = f == "programme_id"
        if not m and not code:
            continue

        def tr(v: object, m: dict[str, str] | None = m, code: bool = code) -> object:
            if not isinstance(v, str) or not v.strip():
                return v
            if m:
                t = m.get(answer_key(v))
                if t is not None:
                    return t
            if code and "]" in v:
                return code_from_label(v) or v
            return v

        col = data[f]
        if isinstance(col.dtype, pd.CategoricalDtype):
            cats = list(col.cat.categories)
            new = [tr(v) for v in cats]
            if new == cats:
                continue
            data[f] = pd.Series(np.asarray(new, dtype=object)[col.cat.codes.to_numpy()], index=col.index, dtype=object)
            continue
        codes, uniq = pd.factorize(col.to_numpy(dtype=object))
        new = [tr(v) for v in uniq]
        if new != list(uniq):
            data[f] = pd.Series(np.asarray(new, dtype=object)[codes], index=col.index, dtype=object)
