"""An API test server speaking the Kubernetes REST protocol on 127.0.0.1 (see server.py for what and why)."""

from tests.apiserver.server import HOST, TOKEN, ApiServer, Fault, Request

__all__ = ["HOST", "TOKEN", "ApiServer", "Fault", "Request"]
