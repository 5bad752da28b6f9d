package dev.tilefarm.worker.render.path;

/**
 * A shape with its material. {@code light} is the light that samples this primitive's emission directly,
 * or null if its emission (if any) is found only by paths that happen to hit it.
 */
record Primitive(Shape shape, Material material, Light light) {}
