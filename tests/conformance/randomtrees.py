"""Seeded generator of random, valid kustomize trees for differential testing against the real kustomize.

A tree is a `base/` (Deployments, StatefulSets, Services, ConfigMaps, Secrets, ServiceAccounts, Roles,
RoleBindings, HPAs, Ingresses, custom resources, configMap/secret generators; spread over single-doc files,
multi-doc files and a sub-kustomization), a chain of 1-3 `overlays/lN/` levels and sometimes `components/`.
Each overlay applies a random subset of: namespace, namePrefix/nameSuffix, commonLabels, labels (with
includeSelectors/includeTemplates), commonAnnotations, images, replicas, generators with behaviors
(create/merge/replace) and generatorOptions, strategic-merge patches (file, inline, targeted, untargeted,
with $patch directives), JSON 6902 patches (only operations kustomize accepts), replacements, sortOptions.

Everything is derived from one seed, so a tree is reproducible from its seed alone:

    python -m tests.conformance.randomtrees SEED OUTDIR      # writes the tree, prints the root to build
    python -m tests.conformance.compare OUTDIR/overlays/l2   # diff kustomize vs stackctl on it
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# Names that are not substrings of one another, so `.*name.*` regex targets stay predictable.
NAME_POOL = [
    "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
    "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango",
]  # fmt: skip

IMAGES = [
    "nginx:1.25",
    "nginx",
    "redis:7",
    "quay.io/org/app:v1.2",
    "localhost:5000/team/api:2.0",
    "busybox@sha256:" + "b" * 64,
    "gcr.io/proj/worker:1.0@sha256:" + "c" * 64,
    "docker.io/library/postgres:15",
]
IMAGE_NAMES = [
    "nginx",
    "redis",
    "quay.io/org/app",
    "localhost:5000/team/api",
    "busybox",
    "gcr.io/proj/worker",
    "docker.io/library/postgres",
    "postgres",
    "not-used-anywhere",
]

# Strings that stress quoting, block scalars, folding and type resolution.
TRICKY_STRINGS = [
    "plain",
    "yes",
    "on",
    "No",
    "0755",
    "1e3",
    "0x1F",
    "1.0",
    "12:30",
    "2024-01-15",
    "null",
    "~",
    "",
    " leading",
    "trailing ",
    "a: b",
    "#hash",
    "@at",
    "- dash",
    "*star",
    "multi\nline\n",
    "multi\nline no newline",
    "  indented\nblock\n",
    "tab\there",
    "<tag> & amp",
    "üñí©ødé ✓",
    "日本語テキスト",
    "a long value with many words that will certainly need to be folded by the emitter at eighty",
    "x" * 100,
    "trailing newlines\n\n",
    "cr\r\nlf",
]
LABEL_KEYS = ["team", "tier", "env", "app.kubernetes.io/part-of", "example.com/owner", "track"]
LABEL_VALUES = ["blue", "green", "prod", "true", "1.0", "yes", "v2", "backend"]
ANNOTATION_VALUES = [*LABEL_VALUES, "multi word value", "", "https://example.com/x?y=1", "0755", "null"]
NAMESPACES = ["prod", "staging", "team-a", "kube-public"]
CR_KINDS = [("example.com/v1", "Widget"), ("example.com/v1alpha1", "Gadget"), ("ops.io/v2", "Pipeline")]
_CR_GROUP = {kind: api.split("/")[0] for api, kind in CR_KINDS}
_CR_VERSION = {kind: api.split("/")[1] for api, kind in CR_KINDS}


def _pick(rng: random.Random, seq: list[Any], k: int | None = None) -> Any:
    if k is None:
        return rng.choice(seq)
    return rng.sample(seq, min(k, len(seq)))


@dataclass
class Workload:
    kind: str  # Deployment | StatefulSet
    name: str
    containers: list[str]


@dataclass
class World:
    """What the tree contains so far (original names), so later levels only make valid references."""

    rng: random.Random
    used: set[str] = field(default_factory=set)
    workloads: list[Workload] = field(default_factory=list)
    services: list[str] = field(default_factory=list)
    configmaps: dict[str, list[str]] = field(default_factory=dict)  # static CMs: name -> data keys
    secrets: list[str] = field(default_factory=list)
    serviceaccounts: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    crs: list[tuple[str, str, str]] = field(default_factory=list)  # (apiVersion, kind, name)
    cm_generators: list[str] = field(default_factory=list)
    secret_generators: list[str] = field(default_factory=list)
    counter: int = 0

    def fresh(self, stem: str | None = None) -> str:
        free = [n for n in NAME_POOL if n not in self.used]
        if stem is None and free:
            name = self.rng.choice(free)
        else:
            self.counter += 1
            name = f"{stem or 'extra'}-{self.counter}"
        self.used.add(name)
        return name


# --- YAML writing ----------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = None
    if "\n" in data and not any(c in data for c in "\r\t") and not data.startswith(" "):
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(rng: random.Random, docs: list[Any]) -> str:
    """Several documents, in a randomly chosen (but always valid) YAML style."""
    indent = rng.choice([2, 2, 2, 4])
    flow = rng.random() < 0.15
    out = []
    for doc in docs:
        text = yaml.dump(
            doc,
            Dumper=_Dumper,
            sort_keys=rng.random() < 0.3,
            default_flow_style=None if flow else False,
            indent=indent,
            allow_unicode=rng.random() < 0.7,
            width=rng.choice([80, 120, 1000]),
        )
        if rng.random() < 0.2:
            text = "# generated\n" + text
        out.append(text)
    sep = "---\n"
    text = sep.join(out)
    if rng.random() < 0.2:
        text = sep + text
    return text


def write(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


# --- base objects ----------------------------------------------------------------------------------


def _labels(name: str) -> dict[str, str]:
    return {"app": name}


def _container(rng: random.Random, name: str, world: World, refs: dict[str, list[str]]) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": _pick(rng, IMAGES)}
    if rng.random() < 0.6:
        c["ports"] = [{"containerPort": _pick(rng, [80, 8080, 9090]), "protocol": "TCP"}]
        if rng.random() < 0.3:
            c["ports"].append({"containerPort": 53, "protocol": "UDP", "name": "dns"})
    env = [{"name": "PLAIN", "value": _pick(rng, TRICKY_STRINGS)}]
    if refs["cm"] and rng.random() < 0.7:
        env.append(
            {
                "name": "FROM_CM",
                "valueFrom": {"configMapKeyRef": {"name": _pick(rng, refs["cm"]), "key": "k"}},
            }
        )
    if refs["secret"] and rng.random() < 0.5:
        env.append(
            {
                "name": "FROM_SECRET",
                "valueFrom": {"secretKeyRef": {"name": _pick(rng, refs["secret"]), "key": "k"}},
            }
        )
    c["env"] = env
    if refs["cm"] and rng.random() < 0.5:
        c["envFrom"] = [{"configMapRef": {"name": _pick(rng, refs["cm"])}}]
    if rng.random() < 0.3:
        c["args"] = ["--flag", _pick(rng, TRICKY_STRINGS)]
    if rng.random() < 0.4:
        c["resources"] = {"limits": {"cpu": "500m", "memory": "128Mi"}}
    if rng.random() < 0.4:
        c["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    return c


def make_workload(rng: random.Random, world: World, refs: dict[str, list[str]]) -> dict[str, Any]:
    kind = rng.choice(["Deployment", "Deployment", "StatefulSet"])
    name = world.fresh()
    ncont = rng.choice([1, 1, 2, 3])
    cnames = ["main", "sidecar", "helper"][:ncont]
    world.workloads.append(Workload(kind, name, list(cnames)))
    pod: dict[str, Any] = {"containers": [_container(rng, n, world, refs) for n in cnames]}
    volumes: list[dict[str, Any]] = [{"name": "data", "emptyDir": {}}]
    if refs["cm"] and rng.random() < 0.6:
        volumes.append({"name": "config", "configMap": {"name": _pick(rng, refs["cm"])}})
    if refs["secret"] and rng.random() < 0.5:
        volumes.append({"name": "secret", "secret": {"secretName": _pick(rng, refs["secret"])}})
    pod["volumes"] = volumes
    if world.serviceaccounts and rng.random() < 0.6:
        pod["serviceAccountName"] = _pick(rng, world.serviceaccounts)
    if rng.random() < 0.3:
        pod["initContainers"] = [{"name": "init", "image": _pick(rng, IMAGES), "args": ["init"]}]
    spec: dict[str, Any] = {
        "replicas": rng.choice([1, 2, 3]),
        "selector": {"matchLabels": _labels(name)},
        "template": {"metadata": {"labels": _labels(name)}, "spec": pod},
    }
    if kind == "StatefulSet":
        spec["serviceName"] = name
        if rng.random() < 0.5:
            spec["volumeClaimTemplates"] = [
                {
                    "metadata": {"name": "pvc"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                }
            ]
    obj: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": kind,
        "metadata": {"name": name, "labels": _labels(name)},
        "spec": spec,
    }
    if rng.random() < 0.3:
        obj["metadata"]["annotations"] = {"note": _pick(rng, TRICKY_STRINGS)}
    return obj


def make_service(rng: random.Random, world: World, wl: Workload) -> dict[str, Any]:
    world.services.append(wl.name)
    ports = [{"name": "http", "port": 80, "targetPort": _pick(rng, [8080, "http"])}]
    if rng.random() < 0.4:
        ports.append({"name": "dns", "port": 53, "protocol": "UDP"})
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": wl.name, "labels": _labels(wl.name)},
        "spec": {"selector": _labels(wl.name), "ports": ports},
    }


def make_configmap(rng: random.Random, world: World) -> dict[str, Any]:
    name = world.fresh()
    keys = ["k", *rng.sample(["a", "b", "c.txt", "KEY_1", "value"], rng.randint(0, 3))]
    world.configmaps[name] = keys
    data = {k: _pick(rng, TRICKY_STRINGS) for k in keys}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": _labels(name)},
        "data": data,
    }


def make_secret(rng: random.Random, world: World) -> dict[str, Any]:
    name = world.fresh()
    world.secrets.append(name)
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "labels": _labels(name)},
        "type": _pick(rng, ["Opaque", "Opaque", "kubernetes.io/basic-auth"]),
    }
    if rng.random() < 0.5:
        obj["stringData"] = {"k": _pick(rng, TRICKY_STRINGS)}
    else:
        obj["data"] = {"k": base64.b64encode(_pick(rng, TRICKY_STRINGS).encode()).decode()}
    return obj


def make_rbac(rng: random.Random, world: World) -> list[dict[str, Any]]:
    sa = world.fresh()
    world.serviceaccounts.append(sa)
    objs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": sa, "labels": _labels(sa)}}
    ]
    if rng.random() < 0.7:
        role = world.fresh()
        world.roles.append(role)
        cluster = rng.random() < 0.3
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRole" if cluster else "Role",
                "metadata": {"name": role, "labels": _labels(role)},
                "rules": [{"apiGroups": [""], "resources": ["pods", "configmaps"], "verbs": ["get", "list"]}],
            }
        )
        binding = world.fresh()
        subjects: list[dict[str, Any]] = [{"kind": "ServiceAccount", "name": sa}]
        if rng.random() < 0.4:
            subjects.append({"kind": "ServiceAccount", "name": sa, "namespace": "elsewhere"})
        if rng.random() < 0.3:
            subjects.append({"kind": "User", "name": "jane@example.com"})
        objs.append(
            {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding" if cluster and rng.random() < 0.5 else "RoleBinding",
                "metadata": {"name": binding, "labels": _labels(binding)},
                "roleRef": {
                    "apiGroup": "rbac.authorization.k8s.io",
                    "kind": "ClusterRole" if cluster else "Role",
                    "name": role,
                },
                "subjects": subjects,
            }
        )
    return objs


def _random_value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth < 2 and r < 0.15:
        return {f"k{i}": _random_value(rng, depth + 1) for i in range(rng.randint(0, 3))}
    if depth < 2 and r < 0.3:
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return _pick(
        rng,
        [
            0,
            -1,
            42,
            3.5,
            1e-3,
            True,
            False,
            None,
            2**40,
            *TRICKY_STRINGS[:12],
            "plain-string",
        ],
    )


def make_cr(rng: random.Random, world: World) -> dict[str, Any]:
    api, kind = _pick(rng, CR_KINDS)
    name = world.fresh()
    world.crs.append((api, kind, name))
    spec: dict[str, Any] = {
        "settings": {"retries": rng.randint(0, 5), "mode": _pick(rng, ["fast", "safe", "on", "off"])},
        "items": [{"name": f"i{i}", "value": _random_value(rng)} for i in range(rng.randint(0, 3))],
        "extra": _random_value(rng),
    }
    if rng.random() < 0.4:
        spec["containers"] = [{"name": "c", "image": _pick(rng, IMAGES)}]
    if rng.random() < 0.3:
        spec["replicas"] = 1
    return {
        "apiVersion": api,
        "kind": kind,
        "metadata": {"name": name, "labels": _labels(name)},
        "spec": spec,
    }


def make_hpa(world: World, wl: Workload) -> dict[str, Any]:
    name = world.fresh()
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": name, "labels": _labels(name)},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": wl.kind, "name": wl.name},
            "minReplicas": 1,
            "maxReplicas": 5,
        },
    }


def make_ingress(rng: random.Random, world: World) -> dict[str, Any]:
    name = world.fresh()
    paths = [
        {
            "path": f"/{svc}",
            "pathType": "Prefix",
            "backend": {"service": {"name": svc, "port": {"number": 80}}},
        }
        for svc in world.services
    ]
    obj: dict[str, Any] = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": name, "labels": _labels(name)},
        "spec": {"rules": [{"host": "example.com", "http": {"paths": paths}}]},
    }
    if world.secret_generators and rng.random() < 0.5:
        obj["spec"]["tls"] = [{"hosts": ["example.com"], "secretName": _pick(rng, world.secret_generators)}]
    return obj


def _literals(rng: random.Random, keys: list[str] | None = None) -> list[str]:
    keys = keys or rng.sample(["k", "a", "b", "COLOR", "level", "x.y"], rng.randint(1, 3))
    if "k" not in keys:
        keys = ["k", *keys]
    values = ["1", "true", "blue", "a=b", "<x>&", "héllo", "", "0755", "two words"]
    return [f"{k}={rng.choice(values)}" for k in keys]


def make_generator(rng: random.Random, name: str, *, secret: bool, files_dir: Path) -> dict[str, Any]:
    gen: dict[str, Any] = {"name": name}
    kind = rng.random()
    if kind < 0.6:
        gen["literals"] = _literals(rng)
    elif kind < 0.8:
        fname = f"{name}.env"
        write(files_dir / fname, "# env\n" + "\n".join(_literals(rng)) + "\n")
        gen["envs"] = [fname]
    else:
        fname = f"{name}.txt"
        payload: str | bytes = _pick(rng, TRICKY_STRINGS) + "\n"
        if rng.random() < 0.3:
            payload = bytes(rng.randrange(256) for _ in range(40))
        write(files_dir / fname, payload)
        gen["files"] = [fname, f"k={fname}"] if rng.random() < 0.5 else [f"k={fname}"]
    if secret and rng.random() < 0.3:
        gen["type"] = "kubernetes.io/basic-auth" if rng.random() < 0.5 else "Opaque"
    if rng.random() < 0.3:
        opts: dict[str, Any] = {}
        if rng.random() < 0.5:
            opts["labels"] = {_pick(rng, LABEL_KEYS): _pick(rng, LABEL_VALUES)}
        if rng.random() < 0.5:
            opts["annotations"] = {"gen": _pick(rng, ANNOTATION_VALUES)}
        if rng.random() < 0.3:
            opts["disableNameSuffixHash"] = True
        if rng.random() < 0.2:
            opts["immutable"] = True
        if opts:
            gen["options"] = opts
    return gen


def build_base(rng: random.Random, world: World, base: Path) -> None:
    kust: dict[str, Any] = {}
    # generators first, so workloads can reference them
    cm_gens = []
    for _ in range(rng.randint(0, 2)):
        name = world.fresh()
        world.cm_generators.append(name)
        cm_gens.append(make_generator(rng, name, secret=False, files_dir=base))
    sec_gens = []
    for _ in range(rng.randint(0, 2)):
        name = world.fresh()
        world.secret_generators.append(name)
        sec_gens.append(make_generator(rng, name, secret=True, files_dir=base))

    objs: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 2)):
        objs.append(make_configmap(rng, world))
    for _ in range(rng.randint(0, 1)):
        objs.append(make_secret(rng, world))
    if rng.random() < 0.6:
        objs.extend(make_rbac(rng, world))
    refs = {
        "cm": [*world.cm_generators, *world.configmaps],
        "secret": [*world.secret_generators, *world.secrets],
    }
    for _ in range(rng.randint(1, 3)):
        objs.append(make_workload(rng, world, refs))
    for wl in world.workloads:
        if rng.random() < 0.6:
            objs.append(make_service(rng, world, wl))
    if world.workloads and rng.random() < 0.3:
        objs.append(make_hpa(world, _pick(rng, world.workloads)))
    if world.services and rng.random() < 0.3:
        objs.append(make_ingress(rng, world))
    for _ in range(rng.randint(0, 2)):
        objs.append(make_cr(rng, world))
    rng.shuffle(objs)

    # Spread the objects over files: some single, some multi-doc, maybe a sub-kustomization.
    resources: list[str] = []
    i = 0
    sub_objs: list[dict[str, Any]] = []
    while i < len(objs):
        n = rng.choice([1, 1, 2, 3])
        chunk = objs[i : i + n]
        i += n
        if rng.random() < 0.15:
            sub_objs.extend(chunk)
            continue
        fname = f"res-{len(resources)}.{rng.choice(['yaml', 'yaml', 'yml'])}"
        write(base / fname, dump(rng, chunk))
        resources.append(fname)
    if sub_objs:
        write(base / "sub" / "objects.yaml", dump(rng, sub_objs))
        write(base / "sub" / "kustomization.yaml", dump(rng, [{"resources": ["objects.yaml"]}]))
        resources.insert(rng.randint(0, len(resources)), "sub")
    kust["resources"] = resources
    if cm_gens:
        kust["configMapGenerator"] = cm_gens
    if sec_gens:
        kust["secretGenerator"] = sec_gens
    if rng.random() < 0.2:
        kust["commonLabels"] = {_pick(rng, LABEL_KEYS): _pick(rng, LABEL_VALUES)}
    if rng.random() < 0.2:
        kust["generatorOptions"] = {"labels": {"generated": "true"}}
    if rng.random() < 0.15:
        kust["namespace"] = "base-ns"
    _write_kustomization(rng, base, kust)


def _write_kustomization(rng: random.Random, d: Path, kust: dict[str, Any], component: bool = False) -> None:
    head: dict[str, Any] = {}
    if component:
        head = {"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}
    elif rng.random() < 0.5:
        head = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
    name = "kustomization.yaml" if rng.random() < 0.9 else "kustomization.yml"
    write(d / name, dump(rng, [{**head, **kust}]))


# --- overlay transformations -----------------------------------------------------------------------


def _smp_for(rng: random.Random, world: World) -> dict[str, Any] | None:
    """A strategic merge patch for a random existing object (by its original name)."""
    choices: list[str] = []
    if world.workloads:
        choices += ["workload"] * 3
    if world.configmaps:
        choices.append("configmap")
    if world.crs:
        choices.append("cr")
    if world.services:
        choices.append("service")
    if not choices:
        return None
    what = _pick(rng, choices)
    if what == "workload":
        wl: Workload = _pick(rng, world.workloads)
        containers: list[dict[str, Any]] = []
        order: list[dict[str, str]] = []
        for cname in rng.sample(wl.containers, rng.randint(1, len(wl.containers))):
            c: dict[str, Any] = {"name": cname}
            r = rng.random()
            if r < 0.3:
                c["image"] = _pick(rng, IMAGES)
            elif r < 0.6:
                c["env"] = [
                    {"name": _pick(rng, ["PLAIN", "NEW", "FROM_CM"]), "value": _pick(rng, TRICKY_STRINGS)}
                ]
            elif r < 0.75:
                c["resources"] = {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m"}}
            elif r < 0.85 and len(wl.containers) > 1:
                c["$patch"] = "delete"
                wl.containers.remove(cname)
            else:
                c["ports"] = [{"containerPort": 8080, "protocol": "TCP", "name": "http"}]
            containers.append(c)
            order.append({"name": cname})
        if rng.random() < 0.3:
            new = f"added-{world.fresh('c')}"
            containers.append({"name": new, "image": _pick(rng, IMAGES)})
            wl.containers.append(new)
        pod: dict[str, Any] = {"containers": containers}
        if rng.random() < 0.2:
            pod["$setElementOrder/containers"] = [{"name": n} for n in wl.containers]
        if rng.random() < 0.2:
            pod["volumes"] = [{"name": "data", "emptyDir": {"medium": "Memory"}}]
        spec: dict[str, Any] = {"template": {"spec": pod}}
        if rng.random() < 0.3:
            spec["replicas"] = rng.randint(0, 9)
        meta: dict[str, Any] = {"name": wl.name}
        if rng.random() < 0.3:
            meta["annotations"] = {"patched": _pick(rng, ANNOTATION_VALUES)}
        if rng.random() < 0.15:
            meta["labels"] = {"app": wl.name, "patched": "true"}
        return {"apiVersion": "apps/v1", "kind": wl.kind, "metadata": meta, "spec": spec}
    if what == "configmap":
        name = _pick(rng, sorted(world.configmaps))
        data: dict[str, Any] = {"patched": _pick(rng, TRICKY_STRINGS)}
        deletable = [k for k in world.configmaps[name] if k != "k"]
        if deletable and rng.random() < 0.3:
            gone = _pick(rng, deletable)
            data[gone] = None
            world.configmaps[name].remove(gone)
        return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    if what == "service":
        name = _pick(rng, world.services)
        port: dict[str, Any] = {"port": 80, "targetPort": 9090}
        if rng.random() < 0.5:
            port = {"port": 443, "name": "https", "targetPort": 8443}
        return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": {"ports": [port]}}
    api, kind, name = _pick(rng, world.crs)
    spec = {"settings": {"mode": _pick(rng, ["slow", "yes"]), "retries": None}}
    if rng.random() < 0.5:
        spec["items"] = [{"name": "replaced", "value": _random_value(rng)}]
    return {"apiVersion": api, "kind": kind, "metadata": {"name": name}, "spec": spec}


def _json_patch_for(rng: random.Random, world: World) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """(target, ops) with operations that are valid whatever happened before."""
    options: list[str] = []
    if world.workloads:
        options += ["workload", "workload"]
    if world.configmaps:
        options.append("configmap")
    if world.crs:
        options.append("cr")
    if not options:
        return None
    what = _pick(rng, options)
    ops: list[dict[str, Any]] = []
    if what == "workload":
        wl: Workload = _pick(rng, world.workloads)
        target: dict[str, Any] = {"kind": wl.kind, "name": wl.name}
        if rng.random() < 0.3:
            target = {"group": "apps", "version": "v1", "kind": wl.kind, "name": f".*{wl.name}.*"}
        for _ in range(rng.randint(1, 3)):
            r = rng.random()
            if r < 0.25:
                ops.append({"op": "replace", "path": "/spec/replicas", "value": rng.randint(1, 9)})
            elif r < 0.45:
                ops.append({"op": "add", "path": "/metadata/labels/jsonpatched", "value": "true"})
            elif r < 0.6:
                new = f"json-{world.fresh('c')}"
                ops.append(
                    {
                        "op": "add",
                        "path": "/spec/template/spec/containers/-",
                        "value": {"name": new, "image": _pick(rng, IMAGES)},
                    }
                )
                wl.containers.append(new)
            elif r < 0.75:
                ops.append(
                    {
                        "op": "add",
                        "path": "/spec/template/spec/containers/0/env",
                        "value": [{"name": "JSON", "value": _pick(rng, TRICKY_STRINGS)}],
                    }
                )
            elif r < 0.85:
                ops.append({"op": "copy", "from": "/kind", "path": "/metadata/labels/copied-kind"})
            else:
                ops.append({"op": "test", "path": "/kind", "value": wl.kind})
        return target, ops
    if what == "configmap":
        name = _pick(rng, sorted(world.configmaps))
        ops.append({"op": "add", "path": "/data/json~1key", "value": _pick(rng, TRICKY_STRINGS)})
        if rng.random() < 0.5:
            ops.append({"op": "replace", "path": "/data/k", "value": "replaced"})
        return {"version": "v1", "kind": "ConfigMap", "name": name}, ops
    _api, kind, name = _pick(rng, world.crs)
    ops.append({"op": "add", "path": "/spec/settings/added", "value": _random_value(rng)})
    if rng.random() < 0.5:
        ops.append({"op": "add", "path": "/spec/items/-", "value": {"name": "appended"}})
    return {"kind": kind, "name": name}, ops


def _replacement_for(rng: random.Random, world: World) -> dict[str, Any] | None:
    """A replacement whose source always exists and whose targets are fresh fields it creates.

    (Writing into an existing field is deliberately avoided: kustomize refuses to put a string into a
    field that an earlier replacement left holding a number-like plain scalar.)
    """
    key = f"replaced-{world.fresh('r')}"
    options: list[str] = []
    if world.configmaps and (world.workloads or world.crs):
        options.append("cm-to-annotation")
    if world.services and world.workloads:
        options.append("service-name-to-env")
    if world.workloads:
        options.append("image-tag")
    if not options:
        return None
    what = _pick(rng, options)
    if what == "cm-to-annotation":
        cm = _pick(rng, sorted(world.configmaps))
        targets: list[dict[str, Any]] = []
        if world.workloads:
            wl = _pick(rng, world.workloads)
            targets.append(
                {
                    "select": {"kind": wl.kind, "name": wl.name},
                    "fieldPaths": [
                        f"spec.template.metadata.annotations.{key}",
                        f"metadata.annotations.{key}",
                    ],
                    "options": {"create": True},
                }
            )
        if world.crs:
            targets.append(
                {
                    "select": {"kind": _pick(rng, world.crs)[1]},
                    "fieldPaths": [f"spec.settings.{key}"],
                    "options": {"create": True},
                }
            )
        return {"source": {"kind": "ConfigMap", "name": cm, "fieldPath": "data.k"}, "targets": targets}
    if what == "service-name-to-env":
        svc = _pick(rng, world.services)
        wl = _pick(rng, world.workloads)
        return {
            "source": {"kind": "Service", "name": svc},
            "targets": [
                {
                    "select": {"kind": wl.kind, "name": wl.name},
                    "fieldPaths": [f"spec.template.metadata.labels.{key}"],
                    "options": {"create": True},
                }
            ],
        }
    wl = _pick(rng, world.workloads)
    other = _pick(rng, world.workloads)
    return {
        "source": {
            "kind": wl.kind,
            "name": wl.name,
            "fieldPath": "spec.template.spec.containers.0.image",
            "options": {"delimiter": "/", "index": 0},
        },
        "targets": [
            {
                "select": {"kind": other.kind},
                "reject": [{"name": "nothing-.*"}],
                "fieldPaths": [f"spec.template.metadata.annotations.{key}"],
                "options": {"create": True},
            }
        ],
    }


def _legacy_target(target: dict[str, Any]) -> dict[str, Any]:
    """A patchesJson6902 target: group/version spelled out."""
    kind = target["kind"]
    t = dict(target)
    if kind in ("Deployment", "StatefulSet"):
        t.setdefault("group", "apps")
        t.setdefault("version", "v1")
    elif kind in _CR_GROUP:
        t.setdefault("group", _CR_GROUP[kind])
        t.setdefault("version", _CR_VERSION[kind])
    else:
        t.setdefault("version", "v1")
    return t


def apply_transforms(
    rng: random.Random,
    world: World,
    d: Path,
    kust: dict[str, Any],
    *,
    component: bool,
    level: int,
    mergeable: tuple[list[str], list[str]],
) -> None:
    """Fill `kust` (an overlay or a component) with a random subset of transformations."""
    p = rng.random
    if not component and p() < 0.35:
        kust["namespace"] = _pick(rng, NAMESPACES)
    if p() < 0.4:
        kust["namePrefix"] = f"{_pick(rng, ['p', 'pre', 'x'])}{level}-"
    if p() < 0.3:
        kust["nameSuffix"] = f"-{_pick(rng, ['s', 'suf', 'v'])}{level}"
    if p() < 0.3:
        kust["commonLabels"] = {_pick(rng, LABEL_KEYS): _pick(rng, LABEL_VALUES)}
    if p() < 0.35:
        entries: list[dict[str, Any]] = []
        for _ in range(rng.randint(1, 2)):
            label_entry: dict[str, Any] = {"pairs": {_pick(rng, LABEL_KEYS): _pick(rng, LABEL_VALUES)}}
            if p() < 0.4:
                label_entry["includeSelectors"] = p() < 0.7
            if p() < 0.4:
                label_entry["includeTemplates"] = True
            entries.append(label_entry)
        kust["labels"] = entries
    if p() < 0.35:
        kust["commonAnnotations"] = {
            _pick(rng, ["note", "example.com/build", "owner"]): _pick(rng, ANNOTATION_VALUES)
            for _ in range(rng.randint(1, 2))
        }
    if p() < 0.4:
        images = []
        for name in _pick(rng, IMAGE_NAMES, rng.randint(1, 3)):
            img: dict[str, Any] = {"name": name}
            r = p()
            if r < 0.4:
                img["newTag"] = _pick(rng, ["2.0", "latest", "v9.9.9", "1"])
            elif r < 0.6:
                img["newName"] = _pick(rng, ["mirror.local:5000/" + name.split("/")[-1], "other/name"])
            elif r < 0.8:
                img["digest"] = "sha256:" + hashlib.sha256(name.encode()).hexdigest()
            else:
                img["newName"] = "registry.example.com/" + name.split("/")[-1]
                img["newTag"] = "stable"
            images.append(img)
        kust["images"] = images
    if not component and world.workloads and p() < 0.3:
        kust["replicas"] = [
            {"name": wl.name, "count": rng.randint(0, 5)}
            for wl in _pick(rng, world.workloads, rng.randint(1, len(world.workloads)))
        ]

    # generators with behaviors
    cm_gens: list[dict[str, Any]] = []
    mergeable_cms, mergeable_secrets = mergeable
    if mergeable_cms and p() < 0.35:
        name = _pick(rng, mergeable_cms)
        g = make_generator(rng, name, secret=False, files_dir=d)
        g["behavior"] = _pick(rng, ["merge", "merge", "replace"])
        cm_gens.append(g)
    if p() < 0.25:
        name = world.fresh()
        g = make_generator(rng, name, secret=False, files_dir=d)
        if p() < 0.5:
            g["behavior"] = "create"
        cm_gens.append(g)
        world.cm_generators.append(name)
    if cm_gens:
        kust["configMapGenerator"] = cm_gens
    if mergeable_secrets and p() < 0.25:
        name = _pick(rng, mergeable_secrets)
        g = make_generator(rng, name, secret=True, files_dir=d)
        g["behavior"] = _pick(rng, ["merge", "replace"])
        g.pop("type", None)
        kust["secretGenerator"] = [g]
    if (cm_gens or "secretGenerator" in kust) and p() < 0.4:
        opts: dict[str, Any] = {}
        if p() < 0.5:
            opts["labels"] = {"generated-by": f"level{level}"}
        if p() < 0.3:
            opts["annotations"] = {"gen-note": _pick(rng, ANNOTATION_VALUES)}
        if p() < 0.3:
            opts["disableNameSuffixHash"] = p() < 0.7
        if opts:
            kust["generatorOptions"] = opts

    # patches
    entry: dict[str, Any]
    patches: list[dict[str, Any]] = []
    json_patches: set[int] = set()
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        if p() < 0.6:
            smp = _smp_for(rng, world)
            if smp is None:
                continue
            if p() < 0.5:
                fname = f"smp-{len(patches)}.yaml"
                write(d / fname, dump(rng, [smp]))
                entry = {"path": fname}
            else:
                entry = {"patch": yaml.safe_dump(smp, sort_keys=False, allow_unicode=True)}
            if p() < 0.3:
                entry["target"] = {"kind": smp["kind"], "name": smp["metadata"]["name"]}
            patches.append(entry)
        else:
            jp = _json_patch_for(rng, world)
            if jp is None:
                continue
            target, ops = jp
            if p() < 0.5:
                fname = f"ops-{len(patches)}.{_pick(rng, ['yaml', 'json'])}"
                if fname.endswith(".json"):
                    import json

                    write(d / fname, json.dumps(ops, ensure_ascii=False, indent=1))
                else:
                    write(d / fname, dump(rng, [ops]))
                patches.append({"path": fname, "target": target})
            else:
                inline = yaml.safe_dump(ops, sort_keys=False, allow_unicode=True)
                patches.append({"patch": inline, "target": target})
            json_patches.add(len(patches) - 1)
    if patches:
        # Legacy fields sometimes: patchesStrategicMerge for untargeted SMPs, patchesJson6902 for JSON
        # patches whose target names one object exactly.
        if not component and p() < 0.3:
            psm: list[str] = []
            j6902: list[dict[str, Any]] = []
            rest: list[dict[str, Any]] = []
            for i, e in enumerate(patches):
                if "target" not in e:
                    psm.append(e.get("path") or e["patch"])
                elif i in json_patches and ".*" not in e["target"]["name"]:
                    j6902.append({**e, "target": _legacy_target(e["target"])})
                else:
                    rest.append(e)
            if psm:
                kust["patchesStrategicMerge"] = psm
            if j6902:
                kust["patchesJson6902"] = j6902
            patches = rest
        if patches:
            kust["patches"] = patches

    if p() < 0.25:
        reps = [r for r in (_replacement_for(rng, world) for _ in range(rng.randint(1, 2))) if r]
        if reps:
            if p() < 0.3:
                write(d / "replacement.yaml", dump(rng, [reps[0]]))
                kust["replacements"] = [{"path": "replacement.yaml"}, *reps[1:]]
            else:
                kust["replacements"] = reps

    # new resources in the overlay/component itself
    if p() < 0.3:
        objs = [make_configmap(rng, world)]
        if p() < 0.3:
            objs.append(make_cr(rng, world))
        write(d / "extra.yaml", dump(rng, objs))
        kust.setdefault("resources", []).append("extra.yaml")


@dataclass(frozen=True)
class Tree:
    seed: str
    dir: Path
    root: Path  # the kustomization to build

    def describe(self) -> str:
        return f"seed={self.seed!r} root={self.root}"


def generate_tree(seed: str | int, dest: Path) -> Tree:
    """Write one random valid tree under `dest` (which must not exist or be empty)."""
    seed = str(seed)
    rng = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    world = World(rng)
    build_base(rng, world, dest / "base")

    parent = "../../base"
    levels = rng.choice([1, 1, 2, 2, 3])
    n_components = 0
    root = dest / "base"
    for level in range(1, levels + 1):
        d = dest / "overlays" / f"l{level}"
        kust: dict[str, Any] = {"resources": [parent]}
        # An overlay's own generators run before its components', so it may only merge into older ones.
        mergeable = (list(world.cm_generators), list(world.secret_generators))
        if rng.random() < 0.25:
            comps = []
            for _ in range(rng.randint(1, 2)):
                n_components += 1
                cdir = dest / "components" / f"c{n_components}"
                ckust: dict[str, Any] = {}
                apply_transforms(
                    rng,
                    world,
                    cdir,
                    ckust,
                    component=True,
                    level=level * 10 + n_components,
                    mergeable=mergeable,
                )
                if not ckust:  # kustomize refuses an empty kustomization file
                    ckust["commonAnnotations"] = {"component": f"c{n_components}"}
                _write_kustomization(rng, cdir, ckust, component=True)
                comps.append(f"../../components/c{n_components}")
            kust["components"] = comps
        apply_transforms(rng, world, d, kust, component=False, level=level, mergeable=mergeable)
        if level == levels and rng.random() < 0.15:
            if rng.random() < 0.5:
                kust["sortOptions"] = {"order": "fifo"}
            else:
                kust["sortOptions"] = {
                    "order": "legacy",
                    "legacySortOptions": {
                        "orderFirst": rng.sample(["Service", "Deployment", "ConfigMap", "Widget"], 2),
                        "orderLast": rng.sample(["Secret", "StatefulSet", "Role"], 2),
                    },
                }
        _write_kustomization(rng, d, kust)
        parent = f"../l{level}"
        root = d
    (dest / "build").write_text(str(root.relative_to(dest)) + "\n")
    (dest / "SEED").write_text(seed + "\n")
    return Tree(seed, dest, root)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("seed", help="the tree's seed, as printed by a failing test (e.g. 20240615-17)")
    parser.add_argument("outdir", type=Path)
    args = parser.parse_args(argv)
    if args.outdir.exists() and any(args.outdir.iterdir()):
        parser.error(f"{args.outdir} is not empty")
    tree = generate_tree(args.seed, args.outdir)
    print(tree.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
