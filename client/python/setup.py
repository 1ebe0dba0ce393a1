"""Builds the forecastle package, generating its gRPC stubs from the repository's .proto files.

The stubs are not committed: `build_py` runs Debian's protoc with grpc_python_plugin over
../../proto (or $FORECASTLE_PROTO_DIR) into the build tree, so the client always matches the
protos the server was built from. Install with:

    pip install ./client/python     (Debian 12: builds with the system setuptools, no download)
"""
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def proto_dir() -> Path:
    configured = os.environ.get("FORECASTLE_PROTO_DIR")
    path = Path(configured) if configured else HERE.parent.parent / "proto"
    if not (path / "forecastle" / "v1").is_dir():
        raise SystemExit(f"forecastle: no protos at {path}/forecastle/v1 (set FORECASTLE_PROTO_DIR)")
    return path


def generate_stubs(out: Path) -> None:
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if not protoc or not plugin:
        raise SystemExit("forecastle: protoc and grpc_python_plugin are needed "
                         "(apt-get install protobuf-compiler protobuf-compiler-grpc)")
    root = proto_dir()
    protos = sorted(str(p.relative_to(root)) for p in (root / "forecastle" / "v1").glob("*.proto"))
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([protoc, f"-I{root}", f"--python_out={out}", f"--pyi_out={out}",
                    f"--grpc_python_out={out}", f"--plugin=protoc-gen-grpc_python={plugin}", *protos],
                   check=True)


class BuildPyWithStubs(build_py):
    def run(self) -> None:
        super().run()
        generate_stubs(Path(self.build_lib))


setup(cmdclass={"build_py": BuildPyWithStubs})
