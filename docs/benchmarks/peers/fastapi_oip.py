"""A small Open Inference Protocol server in Python: FastAPI + uvicorn + onnxruntime, the kind of server a
user would write instead of deploying this project. It serves the same ONNX files from the project's model
repository (plain models: `simple`, `digits-cnn`) with OIP JSON `infer` (and `ready` for health checks).

Configured as its users would for speed: one process per core, each with a single-threaded onnxruntime
session (with onnxruntime's default of one thread per core in every process, two processes on two cores
oversubscribe and throughput halves at 4 connections), orjson for JSON, uvloop + httptools under uvicorn, one process per core sharing the port (SO_REUSEPORT), and
TCP_NODELAY on every connection (uvicorn with several workers leaves it off, which costs ~40 ms per
keep-alive request under Nagle's algorithm: a peer must not lose by a misconfiguration).

Run:  python fastapi_oip.py <repository folder> <port> [workers]
"""
import multiprocessing
import os
import socket
import sys

import numpy as np
import onnxruntime as ort
import orjson
import uvicorn
from fastapi import FastAPI, Request, Response
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

DTYPES = {"FP32": np.float32, "FP64": np.float64, "INT32": np.int32, "INT64": np.int64, "UINT8": np.uint8,
          "INT8": np.int8, "BOOL": np.bool_}
WIRE = {np.dtype(v): k for k, v in DTYPES.items()}
MODELS = ("simple", "digits-cnn")


def _nodelay(connection_made):
    def wrapped(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection_made(self, transport)
    return wrapped


HttpToolsProtocol.connection_made = _nodelay(HttpToolsProtocol.connection_made)


def create_app(repository):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    sessions = {m: ort.InferenceSession(os.path.join(repository, m, "1", "model.onnx"), sess_options=options,
                                        providers=["CPUExecutionProvider"]) for m in MODELS}
    app = FastAPI()

    @app.get("/v2/models/{model}/ready")
    async def ready(model: str):
        return Response(orjson.dumps({"name": model, "ready": model in sessions}), media_type="application/json",
                        status_code=200 if model in sessions else 404)

    @app.post("/v2/models/{model}/infer")
    async def infer(model: str, request: Request):
        session = sessions.get(model)
        if session is None:
            return Response(orjson.dumps({"error": f"unknown model '{model}'"}), status_code=404,
                            media_type="application/json")
        body = orjson.loads(await request.body())
        feeds = {i["name"]: np.asarray(i["data"], dtype=DTYPES[i["datatype"]]).reshape(i["shape"])
                 for i in body["inputs"]}
        names = [o.name for o in session.get_outputs()]
        results = session.run(names, feeds)
        answer = {"model_name": model, "model_version": "1",
                  "outputs": [{"name": n, "datatype": WIRE[r.dtype], "shape": list(r.shape), "data": r.ravel().tolist()}
                              for n, r in zip(names, results)]}
        if "id" in body:
            answer["id"] = body["id"]
        return Response(orjson.dumps(answer), media_type="application/json")

    return app


def serve(repository, port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(create_app(repository), loop="uvloop", http="httptools", log_level="warning",
                            access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    repo, port = sys.argv[1], int(sys.argv[2])
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
    processes = [multiprocessing.Process(target=serve, args=(repo, port)) for _ in range(workers)]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
