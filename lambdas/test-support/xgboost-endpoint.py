"""A local SageMaker endpoint for contract tests, predicting with xgboost itself.

Usage: python3 xgboost-endpoint.py NAME=MODEL_JSON [NAME=MODEL_JSON ...]
Prints "listening PORT" once every model is loaded, then serves on 127.0.0.1:PORT.

Two protocols on one port:
- the built-in XGBoost container's (sagemaker-xgboost-container, algorithm_mode/serve.py):
  GET /ping, and POST /invocations with text/csv rows (an empty cell is NaN) answered by the
  predictions joined by commas (`",".join(map(str, preds.tolist()))`, the container's real-time
  answer; batch transform answers one per line). A container holds one model: /invocations serves
  the first NAME, or the one named by X-Amzn-SageMaker-Target-Model.
- the SageMaker runtime's, which the AWS SDK speaks: POST /endpoints/NAME/invocations. The runtime
  routes to the endpoint's container, so this path is translated to the container call above
  (the model NAME, or the TargetModel header of a multi-model endpoint). Errors take the runtime's
  shape: an unknown endpoint is a 400 ValidationError, a failing container a 424 ModelError.
"""

import http.server
import json
import os
import sys
import threading

import numpy as np
import xgboost as xgb

models = {}
for arg in sys.argv[1:]:
    name, path = arg.split("=", 1)
    booster = xgb.Booster()
    booster.load_model(path)
    booster.set_param("nthread", 1)  # as the container does
    models[name] = booster
default_model = next(iter(models))
lock = threading.Lock()  # one booster per model, shared by the request threads


def container_invoke(model, content_type, body):
    """The container's /invocations: (status, content type, answer)."""
    if model not in models:
        return 404, "text/plain", f"model {model} not loaded"
    if content_type.split(";")[0].strip().lower() != "text/csv":
        return 415, "text/plain", f"content type {content_type} not supported"
    text = body.decode("utf-8").strip()
    if not text:
        return 204, "text/csv", ""
    try:
        rows = [["nan" if cell == "" else cell for cell in line.split(",")] for line in text.split("\n")]
        # nthread=1: a DMatrix of one row built with every core's threads takes ~14 ms instead of <1 ms
        dtest = xgb.DMatrix(np.array(rows).astype(np.float64), nthread=1)
    except Exception as e:  # noqa: BLE001 - the container answers 415 for any unreadable payload
        return 415, "text/plain", f"Loading csv data failed: {e}"
    try:
        with lock:
            preds = models[model].predict(dtest, validate_features=False)
    except Exception as e:  # noqa: BLE001 - as the container: a payload the model cannot take is a 400
        return 400, "text/plain", f"Unable to evaluate payload provided: {e}"
    return 200, "text/csv", ",".join(map(str, preds.tolist()))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK expects: no connection set-up per call
    def log_message(self, *args):
        pass

    def answer(self, status, content_type, text, headers=None):
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/ping":
            self.answer(200, "text/plain", "")
        else:
            self.answer(404, "text/plain", "not found")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type") or ""
        target = self.headers.get("X-Amzn-SageMaker-Target-Model")
        parts = self.path.split("?")[0].strip("/").split("/")
        if parts == ["invocations"]:
            self.answer(*container_invoke(target or default_model, content_type, body))
        elif len(parts) == 3 and parts[0] == "endpoints" and parts[2] == "invocations":
            model = target or parts[1]
            if model not in models:
                self.runtime_error(400, "ValidationError", f"Endpoint {parts[1]} not found.")
                return
            status, ctype, text = container_invoke(model, content_type, body)
            if status == 200:
                self.answer(200, ctype, text, {"x-Amzn-Invoked-Production-Variant": "AllTraffic"})
            else:
                self.runtime_error(424, "ModelError", text, {"OriginalStatusCode": status, "OriginalMessage": text})
        else:
            self.answer(404, "text/plain", "not found")

    def runtime_error(self, status, code, message, extra=None):
        self.answer(
            status,
            "application/json",
            json.dumps({"message": message, **(extra or {})}),
            {"x-amzn-ErrorType": code},
        )


class Server(http.server.ThreadingHTTPServer):
    # the adapter opens a connection per head at once (9 for demo); socketserver's backlog of 5 would
    # drop the rest, and their SYN retry costs a second
    request_queue_size = 64


def exit_with_parent():
    # stdin is the launching test's pipe: EOF means it is gone, even when it could not stop us
    sys.stdin.read()
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = Server(("127.0.0.1", 0), Handler)
print(f"listening {server.server_address[1]}", flush=True)
server.serve_forever()
