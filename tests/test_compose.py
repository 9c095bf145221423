"""docker-compose.yml: Neo4j 5.26 plus the API wired to it through FAMILYCARD_ settings."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _env(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):  # the "KEY=value" list form
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def test_neo4j_is_5_26_community(compose):
    neo4j = compose["services"]["neo4j"]
    image = neo4j["image"]
    assert image.startswith("neo4j:5.26")
    assert "enterprise" not in image
    assert _env(neo4j)["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    assert any(str(v).endswith(":/data") for v in neo4j["volumes"])


def test_api_uses_the_neo4j_store(compose):
    api = compose["services"]["api"]
    env = _env(api)
    assert env["FAMILYCARD_STORE"] == "neo4j"
    assert env["FAMILYCARD_NEO4J_URI"] == "bolt://neo4j:7687"
    assert "FAMILYCARD_NEO4J_USER" in env
    assert "FAMILYCARD_NEO4J_PASSWORD" in env
    assert api["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert any(str(p).endswith(":8000") for p in api["ports"])
    assert api["command"][:2] == ["familycard", "serve"]


def test_api_dockerfile_exists(compose):
    build = compose["services"]["api"]["build"]
    context = ROOT / (build["context"] if isinstance(build, dict) else build)
    dockerfile = context / (build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile")
    assert dockerfile.is_file()
    text = dockerfile.read_text()
    assert "FROM python:3.11" in text
    assert "pip install ." in text


def test_docker_compose_config_accepts_the_file():
    docker = shutil.which("docker")
    if docker is None:
        pytest.skip("docker client not installed")
    probe = subprocess.run([docker, "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("docker compose plugin not installed")
    result = subprocess.run([docker, "compose", "-f", str(COMPOSE), "config", "--quiet"],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
