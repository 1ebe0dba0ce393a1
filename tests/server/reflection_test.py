#!/usr/bin/env python3
"""Server reflection (v1alpha and v1) and health are on: starts forecastle-server and asks, with raw
gRPC calls (python3-grpcio only; no generated code needed), for the list of services, in both
reflection versions, and for health."""
import re
import subprocess
import sys
import tempfile

import grpc


def main(server_bin: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        server = subprocess.Popen([server_bin, "--listen=127.0.0.1:0", f"--db={tmp}/r.db"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            line = server.stdout.readline()
            match = re.search(r"listening on (\S+)", line)
            assert match, f"server did not start: {line!r}"
            channel = grpc.insecure_channel(match.group(1))
            identity = lambda b: b  # noqa: E731  raw bytes in and out
            # ServerReflectionRequest{list_services: ""}: field 7, length 0; the same bytes in both
            # versions, and the same services listed.
            listed = {}
            for version in ("v1alpha", "v1"):
                reflect = channel.stream_stream(
                    f"/grpc.reflection.{version}.ServerReflection/ServerReflectionInfo",
                    request_serializer=identity, response_deserializer=identity)
                replies = list(reflect(iter([b"\x3a\x00"]), timeout=10))
                assert len(replies) == 1, (version, replies)
                for service in (b"forecastle.v1.LedgerService", b"forecastle.v1.ActualsService",
                                b"grpc.health.v1.Health", b"grpc.reflection.v1.ServerReflection"):
                    assert service in replies[0], (version, service, replies[0])
                listed[version] = set(re.findall(rb"(?:grpc|forecastle)\.[A-Za-z0-9_.]+", replies[0]))
            assert listed["v1"] == listed["v1alpha"], listed  # in another order
            # HealthCheckRequest{service: ""} is empty; SERVING is field 1 = 1.
            check = channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=identity, response_deserializer=identity)
            assert check(b"", timeout=10) == b"\x08\x01"
            print("reflection v1alpha and v1 list the forecastle services; health is SERVING")
            return 0
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
