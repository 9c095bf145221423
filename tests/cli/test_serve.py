"""`familycard serve`: a server no one can sign in to says so, in one line."""
from __future__ import annotations

import json

from cli.test_demo import Proc, free_port


def test_serve_that_no_one_can_sign_in_to_says_so_in_one_line(tmp_path):
    port = free_port()
    with Proc(["serve", "--port", str(port), "--no-access-log"], tmp_path) as serve:
        serve.wait_for(r"Uvicorn running on", serve.err)
    said = [ln for ln in serve.err if "sign in" in ln]
    assert said == [serve.err[0]], serve.err
    assert said[0].startswith("familycard serve: no way to sign in: set FAMILYCARD_JWT_SECRET")
    assert "FAMILYCARD_API_KEYS" in said[0]

    keys = json.dumps({"portal": {"role": "frontend", "key": "p" * 32}})
    port = free_port()
    with Proc(["serve", "--port", str(port), "--no-access-log"], tmp_path, FAMILYCARD_API_KEYS=keys) as serve:
        serve.wait_for(r"Uvicorn running on", serve.err)
    assert not any("sign in" in ln for ln in serve.err), serve.err
