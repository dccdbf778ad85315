"""docker-compose.yml and deploy/k8s/ describe the same system as the local runner.

No Docker engine runs here, so compose is checked as `docker-compose config` resolves it
(Debian's docker-compose v1), with a throw-away env file of dummy secrets and a clean
environment (the local runner's variables must not leak in). The Kubernetes manifests are
read file by file as kustomization.yaml lists them. Names the code reads are taken from the
code itself (shared.config, shared.topology, the services' nameko configs), so renaming a
variable or a queue there without changing the deployment fails here.

Each check returns its problems as a list; the tests assert the list is empty, and a few
tests feed a deliberately broken compose file to the same checks to show they can fail.
"""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from shared import config, topology

REPO = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO / "docker-compose.yml"
K8S = REPO / "deploy" / "k8s"
DOCKER_COMPOSE = shutil.which("docker-compose") or "/usr/bin/docker-compose"

SECRETS = {
    "KECHUANG_AMQP_PASSWORD": "dummy-amqp",
    "POSTGRES_PASSWORD": "dummy-postgres",
    "KECHUANG_DB_PASSWORD_INTAKE": "dummy-intake",
    "KECHUANG_DB_PASSWORD_MEDIA": "dummy-media",
    "KECHUANG_DB_PASSWORD_SCREENING": "dummy-screening",
    "KECHUANG_DB_PASSWORD_REPORTING": "dummy-reporting",
    "KECHUANG_DB_PASSWORD_MATCHING": "dummy-matching",
    "KECHUANG_DB_PASSWORD_IDENTITY": "dummy-identity",
    "MINIO_ROOT_PASSWORD": "dummy-minio",
    "KECHUANG_S3_SECRET_KEY": "dummy-media-s3",
    "KECHUANG_TOTP_KEY": "dummy-totp",
}
SERVICE_CLASSES = {
    "intake": "IntakeService",
    "media": "MediaService",
    "screening": "ScreeningService",
    "reporting": "ReportingService",
    "matching": "MatchingService",
    "identity": "IdentityService",
}
# Besides the operator's CLI and init (keygen), the one process that signs tokens.
SIGNERS = {"identity"}
RELAYS = {f"relay-{owner}": owner for owner in sorted(topology.relayed_owners())}
INFRA = {"rabbitmq", "postgres", "minio"}
# Every process of the Python image (compose and k8s alike); `cli` is compose's tool profile.
APP = {"init", *SERVICE_CLASSES, *RELAYS}
HTTP_PORT = 8000


# --- docker-compose config -----------------------------------------------------------------


def run_compose_config(
    tmp_path: Path, env: dict[str, str], compose_file: Path = COMPOSE_FILE
) -> subprocess.CompletedProcess[str]:
    if not Path(DOCKER_COMPOSE).exists():
        pytest.fail("docker-compose is not installed (deploy/local/install.sh installs it)")
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{key}={value}\n" for key, value in env.items()))
    return subprocess.run(
        [DOCKER_COMPOSE, "--project-directory", str(REPO), "-f", str(compose_file)]
        + ["--env-file", str(env_file), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        # Only what docker-compose needs: no KECHUANG_* or MINIO_* from the local runner.
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"},
    )


def resolved(tmp_path: Path, env: dict[str, str], compose_file: Path = COMPOSE_FILE) -> dict:
    done = run_compose_config(tmp_path, env, compose_file)
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


@pytest.fixture(scope="module")
def compose(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return resolved(tmp_path_factory.mktemp("compose"), SECRETS)


def env_of(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def command_of(service: dict) -> list[str]:
    command = service.get("command")
    return command.split() if isinstance(command, str) else list(command or [])


def scaling_problems(compose: dict) -> list[str]:
    """`docker compose up --scale media=4` needs media without fixed names or host ports."""
    media = compose["services"]["media"]
    problems = []
    if "container_name" in media:
        problems.append("media has a container_name")
    if media.get("ports"):
        problems.append(f"media publishes ports {media['ports']}")
    for name, service in compose["services"].items():
        if name != "nginx" and service.get("ports"):
            problems.append(f"{name} publishes host ports; only the front door should")
    return problems


def test_every_process_of_the_system_is_a_compose_service(compose):
    assert set(compose["services"]) >= INFRA | APP | {"nginx"}


def test_media_scales_with_no_fixed_name_or_port(compose):
    assert scaling_problems(compose) == []
    assert not any("container_name" in service for service in compose["services"].values())


def broken_compose(tmp_path: Path, old: str, new: str) -> dict:
    """The compose file with one change, resolved: for showing that a check can fail."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    return resolved(tmp_path, SECRETS, broken)


def test_the_scaling_check_fails_when_media_gets_a_fixed_port(tmp_path):
    media = "  media:\n    <<: *app-image\n"
    stack = broken_compose(tmp_path, media, media + '    ports: ["8102:8000"]\n')
    assert [p for p in scaling_problems(stack) if p.startswith("media publishes ports")]


def test_the_front_door_is_published_on_kechuang_port_and_urls_are_signed_for_it(tmp_path):
    stack = resolved(tmp_path, {**SECRETS, "KECHUANG_PORT": "9090"})
    (port,) = stack["services"]["nginx"]["ports"]
    published = port.get("published") if isinstance(port, dict) else str(port).split(":")[0]
    assert str(published) == "9090"
    assert env_of(stack["services"]["media"])["KECHUANG_MINIO_PUBLIC_URL"] == (
        "http://localhost:9090"
    )


@pytest.mark.parametrize("secret", sorted(SECRETS))
def test_a_missing_secret_stops_compose_with_its_name(tmp_path, secret):
    done = run_compose_config(tmp_path, {k: v for k, v in SECRETS.items() if k != secret})
    assert done.returncode != 0
    assert secret in done.stderr


def test_env_example_documents_every_required_secret_and_holds_none(tmp_path):
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    lines = COMPOSE_FILE.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", code))
    assert required == set(SECRETS)
    values = dict(
        line.split("=", 1) for line in example.splitlines() if re.match(r"^[A-Z0-9_]+=", line)
    )
    assert {name: values.get(name) for name in required} == dict.fromkeys(required, "")
    assert "deploy/calls.demo.yaml" in example
    # As shipped (secrets empty), compose refuses to run.
    assert run_compose_config(tmp_path, values).returncode != 0


def test_no_secret_is_written_into_the_compose_file():
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    for name, service in raw["services"].items():
        for key, value in env_of(service).items():
            if re.search(r"PASSWORD|SECRET|_PASS$", key):
                assert value.startswith("${"), f"{name}: {key} has a literal value"


def test_each_process_runs_its_own_command(compose):
    services = compose["services"]
    for name, cls in SERVICE_CLASSES.items():
        config_file = f"services/{name}/config.yml"
        assert command_of(services[name]) == [
            "nameko", "run", "--config", config_file, f"services.{name}.service:{cls}",
        ]  # fmt: skip
        assert hasattr(importlib.import_module(f"services.{name}.service"), cls)
        # The address the service listens on is the variable its nameko config reads.
        http_var = f"KECHUANG_{name.upper()}_HTTP"
        assert f"${{{http_var}:" in (REPO / config_file).read_text(encoding="utf-8")
        assert env_of(services[name])[http_var] == f"0.0.0.0:{HTTP_PORT}"
    for name, owner in RELAYS.items():
        assert command_of(services[name]) == ["kechuang", "relay", owner]
    init = " ".join(command_of(services["init"]))
    for step in ("kechuang migrate", "kechuang keygen", "kechuang declare-topology"):
        assert step in init


def known_variable_names() -> tuple[set[str], set[str]]:
    """Names the code reads (exact) and f-string prefixes like `KECHUANG_DB_PASSWORD_`."""
    sources = [REPO / "shared" / "config.py", *REPO.glob("services/*/service.py")]
    sources += REPO.glob("services/*/config.yml")
    names = set()
    for source in sources:
        names |= set(re.findall(r"\b(?:KECHUANG|MINIO)_[A-Z0-9_]*", source.read_text("utf-8")))
    return {n for n in names if not n.endswith("_")}, {n for n in names if n.endswith("_")}


def test_every_variable_given_to_a_process_is_one_the_code_reads(compose):
    exact, prefixes = known_variable_names()
    for name in APP:
        for key in env_of(compose["services"][name]):
            if key.startswith(("KECHUANG_", "MINIO_")):
                assert key in exact or key.startswith(tuple(prefixes)), f"{name}: {key}"


def test_the_settings_each_process_reads_point_at_the_compose_services(compose):
    services = compose["services"]
    rabbit = env_of(services["rabbitmq"])
    postgres = env_of(services["postgres"])
    minio = env_of(services["minio"])
    databases = {"init": list(config.SERVICES), **{n: [n] for n in SERVICE_CLASSES}}
    databases |= {name: [owner] for name, owner in RELAYS.items()}
    for name, owned in databases.items():
        env = env_of(services[name])
        settings = config.load(env)
        user, password = rabbit["RABBITMQ_DEFAULT_USER"], rabbit["RABBITMQ_DEFAULT_PASS"]
        assert settings.amqp_uri == f"amqp://{user}:{password}@rabbitmq:5672/", name
        for service in owned:
            # The password the database's init script gave the role is the one used here.
            password = postgres[f"KECHUANG_DB_PASSWORD_{service.upper()}"]
            assert settings.db_url(service) == (
                f"postgresql+psycopg://kechuang_{service}:{password}@postgres:5432/"
                f"kechuang_{service}"
            ), name
        # A process gets the passwords of its own databases only.
        given = {k for k in env if k.startswith(("KECHUANG_DB_PASSWORD_", "KECHUANG_DB_URL_"))}
        assert given == {f"KECHUANG_DB_PASSWORD_{s.upper()}" for s in owned}, name
        assert settings.calls_file == "/app/deploy/calls.yaml"
    store = config.load(env_of(services["media"])).object_store
    assert store["endpoint"] == "minio:9000"
    # Media signs with its own MinIO user, the one init provisions; root stays with MinIO/init.
    init = env_of(services["init"])
    assert "kechuang provision-storage" in " ".join(services["init"]["command"])
    assert (store["access_key"], store["secret_key"]) == (
        init["KECHUANG_S3_ACCESS_KEY"], SECRETS["KECHUANG_S3_SECRET_KEY"])  # fmt: skip
    assert store["access_key"] != minio["MINIO_ROOT_USER"]
    assert (init["MINIO_ROOT_USER"], init["MINIO_ROOT_PASSWORD"]) == (
        minio["MINIO_ROOT_USER"], minio["MINIO_ROOT_PASSWORD"])  # fmt: skip
    holders = {n for n, s in services.items() if "MINIO_ROOT_PASSWORD" in env_of(s)}
    assert holders == {"minio", "init"}
    assert store["public_url"] == "http://localhost:8080"
    # The image copies deploy/calls*.yaml to /app/deploy/ (see the Dockerfile).
    assert (REPO / "deploy" / "calls.yaml").is_file()
    assert "deploy/calls.yaml" in (REPO / "Dockerfile").read_text(encoding="utf-8")


def test_the_settings_check_fails_when_a_variable_name_is_wrong(tmp_path):
    stack = broken_compose(tmp_path, "KECHUANG_PG_HOST: postgres", "KECHUANG_PGHOST: postgres")
    with pytest.raises(AssertionError):
        test_the_settings_each_process_reads_point_at_the_compose_services(stack)
    with pytest.raises(AssertionError):
        test_every_variable_given_to_a_process_is_one_the_code_reads(stack)


def mounts(service: dict) -> dict[str, dict]:
    """target -> {source, read_only} of a resolved service's volumes."""
    result = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target, *mode = volume.split(":")
            volume = {"source": source, "target": target, "read_only": mode == ["ro"]}
        result[volume["target"]] = volume
    return result


def test_services_verify_tokens_with_the_public_key_only(compose):
    services = compose["services"]
    for name in [*SERVICE_CLASSES, *RELAYS]:
        if name in SIGNERS:
            private = config.load(env_of(services[name])).jwt_key_files()[0]
            mount = mounts(services[name])[str(private.parent)]
            assert (mount["source"], mount.get("read_only")) == ("jwt-private", True), name
            continue
        env = env_of(services[name])
        assert "KECHUANG_JWT_PRIVATE_KEY_FILE" not in env, name
        assert all(m["source"] != "jwt-private" for m in mounts(services[name]).values()), name
    for name in SERVICE_CLASSES:
        public = config.load(env_of(services[name])).jwt_key_files()[1]
        mount = mounts(services[name])[str(public.parent)]
        assert (mount["source"], mount.get("read_only")) == ("jwt-public", True), name
    init = config.load(env_of(services["init"])).jwt_key_files()
    init_mounts = mounts(services["init"])
    assert init_mounts[str(init[0].parent)]["source"] == "jwt-private"
    assert init_mounts[str(init[1].parent)]["source"] == "jwt-public"


def test_healthchecks_and_start_order(compose):
    services = compose["services"]
    for name in [*INFRA, *SERVICE_CLASSES, "nginx"]:
        assert services[name].get("healthcheck", {}).get("test"), name
    for name in SERVICE_CLASSES:
        test = " ".join(services[name]["healthcheck"]["test"])
        assert f"127.0.0.1:{HTTP_PORT}/healthz" in test, name
    healthy, done = "service_healthy", "service_completed_successfully"
    assert services["init"]["depends_on"] == {
        "rabbitmq": {"condition": healthy},
        "postgres": {"condition": healthy},
        "minio": {"condition": healthy},  # it makes media's MinIO user
    }
    for name in [*SERVICE_CLASSES, *RELAYS]:
        depends = services[name]["depends_on"]
        assert depends["init"] == {"condition": done}, name
        assert depends["rabbitmq"] == depends["postgres"] == {"condition": healthy}, name
    assert services["media"]["depends_on"]["minio"] == {"condition": healthy}
    assert services["nginx"]["depends_on"] == {
        name: {"condition": healthy} for name in [*SERVICE_CLASSES, "minio"]
    }


def test_state_lives_in_named_volumes(compose):
    named = set(compose.get("volumes") or {})
    data = {"rabbitmq": "/var/lib/rabbitmq", "postgres": "/var/lib/postgresql/data"}
    data["minio"] = "/data"
    for name, target in data.items():
        assert mounts(compose["services"][name])[target]["source"] in named, name
    for name, service in compose["services"].items():
        for mount in mounts(service).values():
            source = mount["source"]
            assert source in named or Path(source).exists(), f"{name}: {source}"


def test_postgres_init_makes_one_role_and_database_per_service(compose):
    postgres = compose["services"]["postgres"]
    (script,) = [
        m for m in mounts(postgres).values() if "docker-entrypoint-initdb.d" in m["target"]
    ]
    text = Path(script["source"]).read_text(encoding="utf-8")
    (loop,) = re.findall(r"^for service in (.+); do$", text, re.MULTILINE)
    assert tuple(loop.split()) == config.SERVICES
    assert 'CREATE ROLE :"role" LOGIN' in text and 'CREATE DATABASE :"role" OWNER' in text
    assert set(env_of(postgres)) >= {f"KECHUANG_DB_PASSWORD_{s.upper()}" for s in config.SERVICES}


def test_prometheus_scrapes_every_service(compose):
    for name in SERVICE_CLASSES:
        labels = compose["services"][name].get("labels") or {}
        assert labels.get("prometheus.io/scrape") == "true", name
        assert labels.get("prometheus.io/port") == str(HTTP_PORT), name
        assert labels.get("prometheus.io/path") == "/metrics", name


def test_images_are_pinned(compose):
    for name in INFRA:
        image = compose["services"][name]["image"]
        tag = image.rsplit(":", 1)[-1]
        assert ":" in image and tag != "latest" and re.search(r"\d", tag), image
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11\.\d+-slim-bookworm$", dockerfile, re.M)
    assert re.search(r"^FROM node:\d+\.\d+\.\d+-", dockerfile, re.M)
    (nginx,) = re.findall(r"^FROM nginx:(\d+)\.(\d+)\.(\d+)", dockerfile, re.M)
    # `server ... resolve;` in an upstream (compose.conf) needs nginx >= 1.27.3.
    assert tuple(map(int, nginx)) >= (1, 27, 3)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and all(not user.startswith(("0", "root")) for user in users)


# --- nginx -----------------------------------------------------------------------------------

UPSTREAMS = {"intake", "media", "screening", "reporting", "matching", "identity", "minio"}
ROUTES_IN_IMAGE = "/etc/nginx/kechuang/routes.conf"
HTTP_IN_IMAGE = "/etc/nginx/kechuang/http.conf"  # the request-id maps and the log format


def upstreams(conf: str) -> dict[str, str]:
    return dict(re.findall(r"upstream (\w+)\s*\{([^}]*)\}", conf))


def test_the_compose_front_door_resolves_scaled_media_and_includes_the_shared_routes():
    conf = (REPO / "deploy" / "nginx" / "compose.conf").read_text(encoding="utf-8")
    found = upstreams(conf)
    assert set(found) == UPSTREAMS
    for name, body in found.items():
        port = 9000 if name == "minio" else HTTP_PORT
        assert re.search(rf"server {name}:{port} resolve;", body), name
        assert "zone " in body, name
    assert "resolver 127.0.0.11" in conf
    assert "root /usr/share/kechuang/web;" in conf
    assert f"include {ROUTES_IN_IMAGE};" in conf and f"include {HTTP_IN_IMAGE};" in conf
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    copied = "COPY deploy/nginx/http.conf deploy/nginx/routes.conf deploy/nginx/compose.conf"
    assert f"{copied} /etc/nginx/kechuang/" in dockerfile
    assert "/etc/nginx/kechuang/compose.conf" in dockerfile


# --- Kubernetes ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kustomization() -> dict:
    return yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def k8s(kustomization) -> list[dict]:
    docs = []
    for resource in kustomization["resources"]:
        text = (K8S / resource).read_text(encoding="utf-8")
        docs += [doc for doc in yaml.safe_load_all(text) if doc]
    return docs


def kind(docs: list[dict], wanted: str) -> dict[str, dict]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == wanted}


def workloads(docs: list[dict]) -> dict[str, dict]:
    """Deployments and Jobs by name -> their one container."""
    result = {}
    for doc in docs:
        if doc["kind"] in ("Deployment", "Job"):
            (container,) = doc["spec"]["template"]["spec"]["containers"]
            result[doc["metadata"]["name"]] = container
    return result


def k8s_env_names(container: dict, docs: list[dict]) -> set[str]:
    config_maps = kind(docs, "ConfigMap")
    names = {item["name"] for item in container.get("env") or []}
    for source in container.get("envFrom") or []:
        names |= set(config_maps[source["configMapRef"]["name"]]["data"])
    return names


def test_k8s_runs_the_same_processes_with_the_same_commands_as_compose(compose, k8s):
    found = workloads(k8s)
    assert set(found) == APP | {"nginx"}
    for name in APP - {"init"}:
        assert found[name]["command"] == command_of(compose["services"][name]), name
    # Kubernetes' init does what compose's does but keygen and provision-storage: the signing
    # key and MinIO's root credentials stay with the operator (deploy/README.md).
    steps = lambda command: command[-1].split(" && ")  # noqa: E731
    assert steps(found["init"]["command"]) == [
        step for step in steps(command_of(compose["services"]["init"]))
        if "keygen" not in step and "provision-storage" not in step
    ]  # fmt: skip


def test_k8s_gives_each_process_the_same_variable_names_as_compose(compose, k8s):
    found = workloads(k8s)
    for name in APP:
        expected = set(env_of(compose["services"][name]))
        if name == "init":
            expected -= {"KECHUANG_JWT_PRIVATE_KEY_FILE", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD",
                         "KECHUANG_S3_ACCESS_KEY", "KECHUANG_S3_SECRET_KEY"}  # fmt: skip
        assert k8s_env_names(found[name], k8s) == expected, name
    for name in SERVICE_CLASSES:
        http = {e["name"]: e.get("value") for e in found[name]["env"]}
        assert http[f"KECHUANG_{name.upper()}_HTTP"] == f"0.0.0.0:{HTTP_PORT}"


def secret_example() -> dict:
    (secret,) = yaml.safe_load_all((K8S / "secret.example.yaml").read_text(encoding="utf-8"))
    return secret


def test_k8s_secrets_are_examples_only_and_cover_every_reference(k8s):
    # A Secret applied with the manifests would overwrite the operator's real one.
    assert kind(k8s, "Secret") == {}
    example = secret_example()
    assert example["kind"] == "Secret"
    for key, value in {**example.get("stringData", {}), **example.get("data", {})}.items():
        assert re.search(r"<[^>]+>", value), f"{key} looks like a real value"
    keys = set(example["stringData"])
    for container in workloads(k8s).values():
        for item in container.get("env") or []:
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                assert ref["name"] == example["metadata"]["name"]
                assert ref["key"] in keys, ref
    for auth in kind(k8s, "TriggerAuthentication").values():
        for ref in auth["spec"]["secretTargetRef"]:
            assert (ref["name"], ref["key"]) == (example["metadata"]["name"], "KECHUANG_AMQP_URI")
            assert ref["parameter"] == "host"


def verification_queue() -> str:
    (queue,) = [
        queue
        for queue in topology.standard_queues("events", "dead")
        if any(b.routing_key == "media.MaterialUploaded" for b in queue.bindings)
    ]
    return queue.name


def test_keda_scales_the_media_deployment_on_its_verification_queue(k8s):
    (scaled,) = kind(k8s, "ScaledObject").values()
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    target = scaled["spec"]["scaleTargetRef"]
    assert target["name"] == "media" and target.get("kind", "Deployment") == "Deployment"
    media = kind(k8s, "Deployment")["media"]
    assert "replicas" not in media["spec"], "KEDA owns media's replica count"
    assert 1 <= scaled["spec"]["minReplicaCount"] < scaled["spec"]["maxReplicaCount"]
    (trigger,) = scaled["spec"]["triggers"]
    assert trigger["type"] == "rabbitmq"
    assert trigger["metadata"]["mode"] == "QueueLength"
    assert trigger["metadata"]["queueName"] == verification_queue()
    assert trigger["authenticationRef"]["name"] in kind(k8s, "TriggerAuthentication")
    assert kind(k8s, "HorizontalPodAutoscaler") == {}


def test_k8s_probes_resources_and_non_root(k8s):
    services = kind(k8s, "Service")
    for doc in [*kind(k8s, "Deployment").values(), *kind(k8s, "Job").values()]:
        name = doc["metadata"]["name"]
        pod = doc["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
        assert container["securityContext"]["capabilities"]["drop"] == ["ALL"], name
        assert {"requests", "limits"} <= set(container["resources"]), name
        if container.get("ports"):
            ports = {p["name"]: p["containerPort"] for p in container["ports"]}
            for probe in ("readinessProbe", "livenessProbe"):
                check = container[probe]["httpGet"]
                assert check["path"] == "/healthz" and check["port"] in ports, (name, probe)
            assert name in services, f"{name} has no Service"
    for name in SERVICE_CLASSES:
        annotations = kind(k8s, "Deployment")[name]["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/port"] == str(HTTP_PORT)
        assert annotations["prometheus.io/path"] == "/metrics"
        assert services[name]["spec"]["ports"][0]["port"] == HTTP_PORT
    for name in RELAYS:
        assert kind(k8s, "Deployment")[name]["spec"]["replicas"] == 1


def test_k8s_front_door_uses_the_generated_config_and_the_shared_routes(k8s, kustomization):
    (generator,) = kustomization["configMapGenerator"]
    (entry,) = generator["files"]
    key, _, path = entry.partition("=")
    conf = (K8S / path).read_text(encoding="utf-8")
    assert set(upstreams(conf)) == UPSTREAMS
    assert f"include {ROUTES_IN_IMAGE};" in conf and "listen 8080;" in conf
    nginx = kind(k8s, "Deployment")["nginx"]["spec"]["template"]["spec"]
    (volume,) = [v for v in nginx["volumes"] if "configMap" in v]
    assert volume["configMap"]["name"] == generator["name"]
    (container,) = nginx["containers"]
    (mount,) = [m for m in container["volumeMounts"] if m["name"] == volume["name"]]
    assert container["command"][container["command"].index("-c") + 1] == (
        f"{mount['mountPath']}/{key}"
    )
    # Everything the front door proxies to has a Service of that name (minio: ExternalName).
    assert UPSTREAMS | {"rabbitmq", "postgres"} <= set(kind(k8s, "Service"))


def test_kustomize_builds_the_manifests():
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl (with its built-in kustomize) is not installed")
    done = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "kind: ScaledObject" in done.stdout
