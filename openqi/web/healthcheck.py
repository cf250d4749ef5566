"""Exit 0 when the server in this container answers ``/healthz`` with 200, else 1.

The image's HEALTHCHECK (``docker/entrypoint.sh healthcheck``). It asks gunicorn on
127.0.0.1, at the port of ``OPENQI_BIND``, naming the first of
``OPENQI_ALLOWED_HOSTS`` as the host, as a load balancer in front would.
"""

from __future__ import annotations

import http.client
import sys

from openqi.web.env import env_list, env_str


def _host() -> str:
    for host in env_list("OPENQI_ALLOWED_HOSTS", ["localhost"]):
        # ".example.org" allows example.org and its subdomains; "*" names none.
        if host.lstrip(".") and host != "*":
            return host.lstrip(".")
    return "localhost"


def main() -> int:
    port = int(env_str("OPENQI_BIND", "0.0.0.0:8000").rsplit(":", 1)[-1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/healthz", headers={"Host": _host()})
        status = connection.getresponse().status
    except OSError as error:
        sys.stderr.write(f"health check: no answer on port {port}: {error}\n")
        return 1
    finally:
        connection.close()
    if status != 200:
        sys.stderr.write(f"health check: /healthz answered {status}\n")
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
