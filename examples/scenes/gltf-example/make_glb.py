#!/usr/bin/env python3
"""Writes primitives.glb, tilefarm's glTF example: no model is downloaded, the file is built here.

A ground plane, a metal cube (used by two nodes: instancing), a red sphere, an emissive panel (with
KHR_materials_emissive_strength), a perspective camera and a KHR_lights_punctual spot light, in one GLB.
Run it from this folder: python3 make_glb.py
"""
import json
import math
import struct

bin_data = bytearray()
buffer_views, accessors = [], []


def view(data, target=None):
    while len(bin_data) % 4:
        bin_data.append(0)
    v = {"buffer": 0, "byteOffset": len(bin_data), "byteLength": len(data)}
    if target:
        v["target"] = target
    bin_data.extend(data)
    buffer_views.append(v)
    return len(buffer_views) - 1


def floats(values, kind, minmax=False):
    n = {"VEC2": 2, "VEC3": 3}[kind]
    a = {"bufferView": view(struct.pack("<%df" % len(values), *values), 34962), "componentType": 5126,
         "count": len(values) // n, "type": kind}
    if minmax:
        a["min"] = [min(values[i::3]) for i in range(3)]
        a["max"] = [max(values[i::3]) for i in range(3)]
    accessors.append(a)
    return len(accessors) - 1


def indices(values):
    accessors.append({"bufferView": view(struct.pack("<%dI" % len(values), *values), 34963),
                      "componentType": 5125, "count": len(values), "type": "SCALAR"})
    return len(accessors) - 1


def mesh(pos, nrm, uv, idx, material):
    attrs = {"POSITION": floats(pos, "VEC3", True), "NORMAL": floats(nrm, "VEC3")}
    if uv:
        attrs["TEXCOORD_0"] = floats(uv, "VEC2")
    return {"primitives": [{"attributes": attrs, "indices": indices(idx), "material": material}]}


def cube():
    pos, nrm, idx = [], [], []
    for axis in range(3):
        for sign in (1, -1):
            u, v = (axis + 1) % 3, (axis + 2) % 3
            base = len(pos) // 3
            for cu, cv in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
                p = [0.0, 0.0, 0.0]
                p[axis], p[u], p[v] = 0.5 * sign, 0.5 * cu, 0.5 * cv * sign
                n = [0.0, 0.0, 0.0]
                n[axis] = sign
                pos += p
                nrm += n
            idx += [base, base + 1, base + 2, base, base + 2, base + 3]
    return pos, nrm, idx


def sphere(rings=24, segments=48):
    pos, nrm, idx = [], [], []
    for r in range(rings + 1):
        th = math.pi * r / rings
        for s in range(segments + 1):
            ph = 2 * math.pi * s / segments
            n = [math.sin(th) * math.cos(ph), math.cos(th), math.sin(th) * math.sin(ph)]
            pos += [0.5 * c for c in n]
            nrm += n
    for r in range(rings):
        for s in range(segments):
            a, b = r * (segments + 1) + s, r * (segments + 1) + s + 1
            c, d = a + segments + 1, b + segments + 1
            idx += [a, b, c, b, d, c]
    return pos, nrm, idx


materials = [
    {"name": "ground", "pbrMetallicRoughness": {"baseColorFactor": [0.6, 0.6, 0.58, 1], "metallicFactor": 0, "roughnessFactor": 0.8}},
    {"name": "brushed steel", "pbrMetallicRoughness": {"baseColorFactor": [0.9, 0.9, 0.92, 1], "metallicFactor": 1, "roughnessFactor": 0.3}},
    {"name": "red plastic", "pbrMetallicRoughness": {"baseColorFactor": [0.8, 0.06, 0.05, 1], "metallicFactor": 0, "roughnessFactor": 0.35}},
    {"name": "panel", "pbrMetallicRoughness": {"baseColorFactor": [0, 0, 0, 1]}, "emissiveFactor": [1, 0.9, 0.8],
     "extensions": {"KHR_materials_emissive_strength": {"emissiveStrength": 8}}},
]
meshes = [
    mesh([-4, 0, -4, 4, 0, -4, 4, 0, 4, -4, 0, 4], [0, 1, 0] * 4, [0, 0, 1, 0, 1, 1, 0, 1], [0, 2, 1, 0, 3, 2], 0),
    mesh(*cube()[:2], None, cube()[2], 1),
    mesh(*sphere()[:2], None, sphere()[2], 2),
    mesh([-0.8, 2.5, -0.5, 0.8, 2.5, -0.5, 0.8, 2.5, 0.5, -0.8, 2.5, 0.5], [0, -1, 0] * 4, None, [0, 1, 2, 0, 2, 3], 3),
]


def quat(axis, degrees):
    h = math.radians(degrees) / 2
    q = [0.0, 0.0, 0.0, math.cos(h)]
    q[axis] = math.sin(h)
    return q


nodes = [
    {"name": "ground", "mesh": 0},
    {"name": "cube A", "mesh": 1, "translation": [-1.1, 0.5, 0]},
    {"name": "cube B", "mesh": 1, "translation": [1.2, 0.35, 0.4], "rotation": quat(1, 35), "scale": [0.7, 0.7, 0.7]},
    {"name": "ball", "mesh": 2, "translation": [0.1, 0.5, 0.6]},
    {"name": "panel", "mesh": 3},
    {"name": "camera", "camera": 0, "translation": [0, 1.7, 4.6], "rotation": quat(0, -17)},
    {"name": "spot", "translation": [2.5, 3, 2.5], "rotation": [-0.3535534, 0.3535534, 0.1464466, 0.8535534],
     "extensions": {"KHR_lights_punctual": {"light": 0}}},
]
gltf = {
    "asset": {"version": "2.0", "generator": "tilefarm examples/scenes/gltf-example/make_glb.py"},
    "extensionsUsed": ["KHR_lights_punctual", "KHR_materials_emissive_strength"],
    "extensions": {"KHR_lights_punctual": {"lights": [
        {"type": "spot", "color": [1, 0.95, 0.85], "intensity": 30000, "spot": {"innerConeAngle": 0.3, "outerConeAngle": 0.5}}]}},
    "scene": 0,
    "scenes": [{"nodes": list(range(len(nodes)))}],
    "nodes": nodes,
    "meshes": meshes,
    "materials": materials,
    "cameras": [{"type": "perspective", "perspective": {"yfov": 0.7, "znear": 0.1}}],
}
while len(bin_data) % 4:
    bin_data.append(0)
gltf["buffers"] = [{"byteLength": len(bin_data)}]
gltf["bufferViews"] = buffer_views
gltf["accessors"] = accessors
js = json.dumps(gltf, separators=(",", ":")).encode()
js += b" " * (-len(js) % 4)
glb = struct.pack("<III", 0x46546C67, 2, 12 + 8 + len(js) + 8 + len(bin_data))
glb += struct.pack("<II", len(js), 0x4E4F534A) + js + struct.pack("<II", len(bin_data), 0x004E4942) + bytes(bin_data)
with open("primitives.glb", "wb") as f:
    f.write(glb)
print("wrote primitives.glb (%d bytes)" % len(glb))
