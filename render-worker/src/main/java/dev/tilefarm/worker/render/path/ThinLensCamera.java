package dev.tilefarm.worker.render.path;

/**
 * A perspective camera with a thin lens: rays start on a disk of diameter {@code aperture} around
 * {@code position} and pass through the point that a pinhole ray would reach at {@code focusDistance}, so
 * that plane is sharp and the rest blurs with distance from it (depth of field). Aperture 0 is a pinhole.
 */
final class ThinLensCamera implements Camera {
  private final Vec3 position;
  private final Vec3 forward;
  private final Vec3 right;
  private final Vec3 up;
  private final double halfHeight;
  private final double halfWidth;
  private final int width;
  private final int height;
  private final double lensRadius;
  private final double focusDistance;

  /**
   * @param up any vector not parallel to the viewing direction; the image's up is its part orthogonal to it
   * @param verticalFovDegrees the angle between the image's top and bottom edges
   */
  ThinLensCamera(Vec3 position, Vec3 lookAt, Vec3 up, double verticalFovDegrees, int width, int height,
      double aperture, double focusDistance) {
    this.position = position;
    this.forward = lookAt.minus(position).normalized();
    this.right = forward.cross(up).normalized();
    this.up = right.cross(forward);
    this.halfHeight = StrictMath.tan(Math.toRadians(verticalFovDegrees) / 2);
    this.halfWidth = halfHeight * width / height;
    this.width = width;
    this.height = height;
    this.lensRadius = aperture / 2;
    this.focusDistance = focusDistance;
  }

  @Override
  public Ray generateRay(double x, double y, double lensU, double lensV) {
    double sx = (2 * x / width - 1) * halfWidth;
    double sy = (1 - 2 * y / height) * halfHeight;
    Vec3 d = forward.plusScaled(right, sx).plusScaled(up, sy);
    if (lensRadius == 0) {
      return new Ray(position, d.normalized());
    }
    // The pinhole ray's point on the plane of focus (d has unit length along forward).
    Vec3 focus = position.plusScaled(d, focusDistance);
    double[] disk = concentricDisk(lensU, lensV);
    Vec3 origin = position.plusScaled(right, disk[0] * lensRadius).plusScaled(up, disk[1] * lensRadius);
    return new Ray(origin, focus.minus(origin).normalized());
  }

  /** Shirley and Chiu's area-preserving map from the unit square to the unit disk. */
  static double[] concentricDisk(double u, double v) {
    double a = 2 * u - 1;
    double b = 2 * v - 1;
    if (a == 0 && b == 0) {
      return new double[] {0, 0};
    }
    double r;
    double phi;
    if (Math.abs(a) > Math.abs(b)) {
      r = a;
      phi = Math.PI / 4 * (b / a);
    } else {
      r = b;
      phi = Math.PI / 2 - Math.PI / 4 * (a / b);
    }
    return new double[] {r * StrictMath.cos(phi), r * StrictMath.sin(phi)};
  }
}
