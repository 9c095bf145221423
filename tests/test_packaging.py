"""The package as pip builds it: no deprecation warning at install, and a wheel that carries
what a non-editable install needs (rule folders, the SDL, the XSD, the vendored GraphiQL, the
console's files, the licence)."""
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_builds_without_a_warning_and_carries_the_packages_files(tmp_path):
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(tmp_path),
                        "--no-cache-dir", "-v"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout + r.stderr
    # setuptools' BuildBackendWarning / SetuptoolsDeprecationWarning, as pip -v relays them
    assert "Warning" not in out and "deprecated" not in out, [
        ln for ln in out.splitlines() if "Warning" in ln or "deprecated" in ln][:5]
    (wheel,) = tmp_path.glob("familycard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = ["familycard/schema/schema.graphql", "familycard/graph/bank/xsd/README.md",
              "familycard/graph/sms/reply_words.yaml", "familycard/graph/sms/texts.yaml",
              "familycard/api/static/graphiql/graphiql.min.js", "familycard/api/static/graphiql/LICENSE.react",
              "familycard/graph/store/neo4j_launcher/pom.xml",
              # the console: its modules, its three languages, its stylesheet, Cytoscape.js and its licence
              "familycard/api/console/static/js/main.js", "familycard/api/console/static/i18n/kk.json",
              "familycard/api/console/static/index.html", "familycard/api/console/static/console.css",
              "familycard/api/console/static/vendor/cytoscape/cytoscape.min.js",
              "familycard/api/console/static/vendor/cytoscape/LICENSE"]
    assert [n for n in wanted if n not in names] == []
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    rules = {n.split("/")[3] for n in names if n.startswith("familycard/graph/rules/") and n.endswith("rule.yaml")}
    assert len(rules) == 14, sorted(rules)
