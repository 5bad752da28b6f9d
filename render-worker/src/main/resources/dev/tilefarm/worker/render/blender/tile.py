# tilefarm's Blender tile driver: renders one region of one frame of the open .blend file, deterministically.
# Runs as: blender -b --factory-startup --disable-autoexec FILE --python tile.py -- SETTINGS.json
# Settings: width, height, x0, y0, x1, y1 (the region with its overscan, pixels from the top-left, end
# exclusive), out, samples, seed, frame (or null), scene (or null), camera (or null), depth ("8" or "16": the
# PNG's bits a sample; "float": raw float32 samples at raw instead).
import json
import sys

import bpy

settings = json.load(open(sys.argv[sys.argv.index("--") + 1]))
if settings["scene"] is not None:
    if settings["scene"] not in bpy.data.scenes:
        print("tilefarm: the file has no scene '%s' (it has: %s)" % (settings["scene"], ", ".join(bpy.data.scenes.keys())))
        sys.exit(3)
    bpy.context.window.scene = bpy.data.scenes[settings["scene"]]
scene = bpy.context.scene
if settings["camera"] is not None:
    cam = bpy.data.objects.get(settings["camera"])
    if cam is None or cam.type != "CAMERA":
        print("tilefarm: the scene has no camera object '%s'" % settings["camera"])
        sys.exit(3)
    scene.camera = cam
if scene.camera is None:
    print("tilefarm: the scene has no camera")
    sys.exit(3)
if settings["frame"] is not None:
    scene.frame_set(settings["frame"])

r = scene.render
r.engine = "CYCLES"
r.resolution_x = settings["width"]
r.resolution_y = settings["height"]
r.resolution_percentage = 100
# The region: Blender's border is in fractions of the frame, from the bottom-left. The whole frame is
# written (no crop) and the worker cuts the tile out, so rounding of the border cannot shift pixels.
w, h = settings["width"], settings["height"]
r.use_border = True
r.use_crop_to_border = False
r.border_min_x = settings["x0"] / w
r.border_max_x = settings["x1"] / w
r.border_min_y = (h - settings["y1"]) / h
r.border_max_y = (h - settings["y0"]) / h
# Determinism: a fixed seed, no per-frame seed, no adaptive sampling (its convergence test looks at
# neighbouring pixels), no denoiser (it is spatial), no dithering (its noise depends on the buffer's
# coordinates), no compositing or sequencer (their filters are spatial), one render thread.
c = scene.cycles
c.device = "CPU"
c.samples = settings["samples"]
c.seed = settings["seed"] & 0x7FFFFFFF
c.use_animated_seed = False
c.use_adaptive_sampling = False
c.use_denoising = False
r.dither_intensity = 0.0
r.use_compositing = False
r.use_sequencer = False
r.threads_mode = "FIXED"
r.threads = 1
for layer in scene.view_layers:
    if hasattr(layer, "cycles"):
        layer.cycles.use_denoising = False
r.use_file_extension = False
if settings.get("depth") == "float":
    # Float samples: Cycles' linear scene-referred radiance, as an EXR Blender reads back and dumps as raw
    # big-endian float32 RGBA rows, bottom row first (Blender's own order), for the worker to cut the tile from.
    import array
    exr = settings["out"] + ".exr"
    r.image_settings.file_format = "OPEN_EXR"
    r.image_settings.color_mode = "RGBA"
    r.image_settings.color_depth = "32"
    r.image_settings.exr_codec = "ZIP"
    r.filepath = exr
    bpy.ops.render.render(write_still=True)
    img = bpy.data.images.load(exr)
    px = array.array("f", bytes(4 * img.size[0] * img.size[1] * 4))
    img.pixels.foreach_get(px)
    if sys.byteorder == "little":
        px.byteswap()
    with open(settings["raw"], "wb") as f:
        px.tofile(f)
    print("tilefarm: wrote", settings["raw"], img.size[0], "x", img.size[1])
else:
    r.image_settings.file_format = "PNG"
    r.image_settings.color_mode = "RGB"
    r.image_settings.color_depth = settings.get("depth", "8")
    r.filepath = settings["out"]
    bpy.ops.render.render(write_still=True)
    print("tilefarm: wrote", settings["out"])
