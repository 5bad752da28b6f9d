package dev.tilefarm.worker.render.path;

/** An ideal pinhole at {@code position}: everything in focus, no lens. */
final class PinholeCamera implements Camera {
  private final Vec3 position;
  private final Vec3 forward;
  private final Vec3 right;
  private final Vec3 up;
  private final double halfHeight;
  private final double halfWidth;
  private final int width;
  private final int height;

  /**
   * @param up any vector not parallel to the viewing direction; the image's up is its part orthogonal to it
   * @param verticalFovDegrees the angle between the image's top and bottom edges
   */
  PinholeCamera(Vec3 position, Vec3 lookAt, Vec3 up, double verticalFovDegrees, int width, int height) {
    this.position = position;
    this.forward = lookAt.minus(position).normalized();
    this.right = forward.cross(up).normalized();
    this.up = right.cross(forward);
    this.halfHeight = StrictMath.tan(Math.toRadians(verticalFovDegrees) / 2);
    this.halfWidth = halfHeight * width / height;
    this.width = width;
    this.height = height;
  }

  @Override
  public Ray generateRay(double x, double y) {
    double sx = (2 * x / width - 1) * halfWidth;
    double sy = (1 - 2 * y / height) * halfHeight;
    Vec3 d = forward.plusScaled(right, sx).plusScaled(up, sy).normalized();
    return new Ray(position, d);
  }
}
