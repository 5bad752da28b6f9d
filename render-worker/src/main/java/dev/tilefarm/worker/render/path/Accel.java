package dev.tilefarm.worker.render.path;

import java.util.ArrayList;
import java.util.List;

/**
 * The scene's acceleration structure, two levels deep: a top-level {@link Bvh} over spheres and mesh
 * instances (each instance's rays are moved into its mesh's space and traced through the mesh's own BVH),
 * plus the infinite planes, which no box bounds and which are tested on every ray.
 */
final class Accel implements Aggregate {
  private static final double BOX_SLACK = 1 + 1e-12;

  private final Primitive[] items;
  private final Primitive.PlanePrim[] planes;
  private final double[] nodeBounds;
  private final int[] nodes;
  private final int[] order;
  private final double[] itemExtent;
  /**
   * What leaf slot k of the top-level tree (item {@code order[k]}) holds, unpacked so the traversal reads
   * arrays instead of following records: {@link #SLOT_IDENTITY} or {@link #SLOT_MOVED} (a mesh instance,
   * {@code slotMesh[k]}, with its world-to-object matrix at {@code slotInv[12k ..]}) or {@link #SLOT_SPHERE}.
   */
  private final byte[] slotKind;
  private final TriangleMesh[] slotMesh;
  private final double[] slotInv;
  private final Sphere[] slotSphere;
  private static final byte SLOT_IDENTITY = 0;
  private static final byte SLOT_MOVED = 1;
  private static final byte SLOT_SPHERE = 2;
  private final double[] sceneBounds;

  Accel(List<Primitive> primitives) {
    List<Primitive> bounded = new ArrayList<>();
    List<Primitive.PlanePrim> infinite = new ArrayList<>();
    for (Primitive p : primitives) {
      if (p instanceof Primitive.PlanePrim plane) {
        infinite.add(plane);
      } else {
        bounded.add(p);
      }
    }
    this.items = bounded.toArray(new Primitive[0]);
    this.planes = infinite.toArray(new Primitive.PlanePrim[0]);
    this.itemExtent = new double[items.length];
    double[] scene = {0, 0, 0, 0, 0, 0};
    if (items.length > 0) {
      double[] lo = new double[3 * items.length];
      double[] hi = new double[3 * items.length];
      for (int i = 0; i < items.length; i++) {
        double[] b = boundsOf(items[i]);
        System.arraycopy(b, 0, lo, 3 * i, 3);
        System.arraycopy(b, 3, hi, 3 * i, 3);
        double e = 0;
        for (double v : b) {
          e = Math.max(e, Math.abs(v));
        }
        itemExtent[i] = e;
      }
      Bvh bvh = new Bvh(lo, hi, 2);
      // One ulp outward, so that no surface lies on a box face: a ray whose origin is exactly on a face and
      // whose direction lies in it (0 times a huge reciprocal, 0) then cannot miss anything inside.
      this.nodeBounds = bvh.bounds.clone();
      for (int i = 0; i < nodeBounds.length; i++) {
        nodeBounds[i] = i % 6 < 3 ? Math.nextDown(nodeBounds[i]) : Math.nextUp(nodeBounds[i]);
      }
      this.nodes = bvh.nodes;
      this.order = bvh.order;
      scene = java.util.Arrays.copyOf(bvh.bounds, 6);
    } else {
      this.nodeBounds = new double[0];
      this.nodes = new int[0];
      this.order = new int[0];
    }
    this.sceneBounds = scene;
    int slots = order.length;
    this.slotKind = new byte[slots];
    this.slotMesh = new TriangleMesh[slots];
    this.slotInv = new double[12 * slots];
    this.slotSphere = new Sphere[slots];
    for (int k = 0; k < slots; k++) {
      switch (items[order[k]]) {
        case Primitive.Instance in -> {
          slotMesh[k] = in.mesh();
          slotKind[k] = in.toWorld().identity ? SLOT_IDENTITY : SLOT_MOVED;
          System.arraycopy(in.toWorld().inv, 0, slotInv, 12 * k, 12);
        }
        case Primitive.SpherePrim sphere -> {
          slotSphere[k] = sphere.sphere();
          slotKind[k] = SLOT_SPHERE;
        }
        case Primitive.PlanePrim plane -> throw new IllegalStateException("planes are not among the items");
      }
    }
  }

  private static double[] boundsOf(Primitive p) {
    return switch (p) {
      case Primitive.SpherePrim s -> {
        Vec3 c = s.sphere().center();
        double r = s.sphere().radius();
        yield new double[] {c.x() - r, c.y() - r, c.z() - r, c.x() + r, c.y() + r, c.z() + r};
      }
      case Primitive.Instance in -> in.worldBounds();
      // Infinite: planes are kept out of the hierarchy and tested on their own.
      case Primitive.PlanePrim plane -> throw new IllegalStateException("a plane has no bounds");
    };
  }

  @Override
  public double[] bounds() {
    return sceneBounds.clone();
  }

  @Override
  public SurfaceHit intersect(Ray ray, double tMax, Scratch s) {
    if (!trace(ray, tMax, s, false)) {
      return null;
    }
    if (s.primitive < 0) {
      return planeHit(planes[~s.primitive], ray, s.t);
    }
    return switch (items[s.primitive]) {
      case Primitive.Instance in -> triangleHit(in, s.triangle, s.u, s.v, ray, s.t, itemExtent[s.primitive]);
      case Primitive.SpherePrim sphere -> sphereHit(sphere, ray, s.t);
      case Primitive.PlanePrim plane -> throw new IllegalStateException("planes are not among the items");
    };
  }

  @Override
  public boolean occluded(Ray ray, double tMax, Scratch s) {
    return trace(ray, tMax, s, true);
  }

  /**
   * The one traversal behind {@link #intersect} and {@link #occluded}, as in {@link TriangleMesh}: with
   * {@code any}, true at the first hit found; otherwise true if anything lies on the ray in (0, tMax), with the
   * nearest hit in {@code s}: its distance {@code t}, its {@code primitive} (an item's index, or {@code ~i} for
   * plane i) and, for a mesh instance, its {@code triangle} and barycentrics {@code u, v}.
   */
  private boolean trace(Ray ray, double tMax, Scratch s, boolean any) {
    double best = tMax;
    int bestItem = -1;
    int bestPlane = -1;
    for (int i = 0; i < planes.length; i++) {
      double t = planes[i].plane().intersect(ray, best);
      if (t < best) {
        if (any) {
          return true;
        }
        best = t;
        bestPlane = i;
      }
    }
    int bestTriangle = -1;
    double bu = 0;
    double bv = 0;
    if (items.length > 0) {
      double ox = ray.origin().x(), oy = ray.origin().y(), oz = ray.origin().z();
      double dx = ray.direction().x(), dy = ray.direction().y(), dz = ray.direction().z();
      double idx = TriangleMesh.finite(1 / dx);
      double idy = TriangleMesh.finite(1 / dy);
      double idz = TriangleMesh.finite(1 / dz);
      int nx = idx < 0 ? 3 : 0;
      int ny = idy < 0 ? 4 : 1;
      int nz = idz < 0 ? 5 : 2;
      int[] stack = s.topStack;
      int sp = 0;
      int node = 0;
      while (true) {
        int o = 6 * node;
        // Branch-free, as in TriangleMesh (reciprocals made finite there, boxes widened here).
        double tmin = Math.max(Math.max((nodeBounds[o + nx] - ox) * idx, (nodeBounds[o + ny] - oy) * idy),
            Math.max((nodeBounds[o + nz] - oz) * idz, 0));
        double tmax = Math.min(Math.min((nodeBounds[o + 3 - nx] - ox) * idx, (nodeBounds[o + 5 - ny] - oy) * idy),
            Math.min((nodeBounds[o + 7 - nz] - oz) * idz, best));
        if (tmin <= tmax * BOX_SLACK) {
          int count = nodes[3 * node + 1];
          if (count > 0) {
            int first = nodes[3 * node];
            for (int k = first; k < first + count; k++) {
              int kind = slotKind[k];
              if (kind == SLOT_SPHERE) {
                double t = slotSphere[k].intersect(ray, best);
                if (t < best) {
                  if (any) {
                    return true;
                  }
                  best = t;
                  bestItem = order[k];
                  bestTriangle = -1;
                }
                continue;
              }
              boolean hit;
              if (kind == SLOT_IDENTITY) {
                hit = slotMesh[k].trace(ox, oy, oz, dx, dy, dz, idx, idy, idz, best, s, any);
              } else {
                // The ray in the mesh's own space, through the instance's world-to-object matrix.
                double[] m = slotInv;
                int j = 12 * k;
                double mdx = m[j] * dx + m[j + 1] * dy + m[j + 2] * dz;
                double mdy = m[j + 4] * dx + m[j + 5] * dy + m[j + 6] * dz;
                double mdz = m[j + 8] * dx + m[j + 9] * dy + m[j + 10] * dz;
                hit = slotMesh[k].trace(m[j] * ox + m[j + 1] * oy + m[j + 2] * oz + m[j + 3],
                    m[j + 4] * ox + m[j + 5] * oy + m[j + 6] * oz + m[j + 7],
                    m[j + 8] * ox + m[j + 9] * oy + m[j + 10] * oz + m[j + 11],
                    mdx, mdy, mdz, 1 / mdx, 1 / mdy, 1 / mdz, best, s, any);
              }
              if (hit) {
                if (any) {
                  return true;
                }
                best = s.t;
                bestItem = order[k];
                bestTriangle = s.triangle;
                bu = s.u;
                bv = s.v;
              }
            }
          } else {
            int axis = nodes[3 * node + 2];
            boolean negative = axis == 0 ? dx < 0 : axis == 1 ? dy < 0 : dz < 0;
            int right = nodes[3 * node];
            if (negative) {
              stack[sp++] = node + 1;
              node = right;
            } else {
              stack[sp++] = right;
              node = node + 1;
            }
            continue;
          }
        }
        if (sp == 0) {
          break;
        }
        node = stack[--sp];
      }
    }
    if (bestItem < 0 && bestPlane < 0) {
      return false;
    }
    s.t = best;
    s.primitive = bestItem >= 0 ? bestItem : ~bestPlane;
    s.triangle = bestTriangle;
    s.u = bu;
    s.v = bv;
    return true;
  }

  private static SurfaceHit sphereHit(Primitive.SpherePrim p, Ray ray, double t) {
    Vec3 point = ray.at(t);
    Sphere sphere = p.sphere();
    Vec3 n = sphere.normalAt(point);
    // Longitude / latitude parameterisation about +y, as a globe: u runs once around, v from the south pole up.
    double phi = StrictMath.atan2(n.z(), n.x());
    if (phi < 0) {
      phi += 2 * Math.PI;
    }
    double theta = StrictMath.acos(Math.max(-1, Math.min(1, n.y())));
    double u = phi / (2 * Math.PI);
    double v = 1 - theta / Math.PI;
    double r = sphere.radius();
    Vec3 dpdu = new Vec3(-2 * Math.PI * r * n.z(), 0, 2 * Math.PI * r * n.x());
    Vec3 dpdv = n.cross(dpdu).normalized();
    if (dpdu.lengthSquared() == 0) {
      Frame f = Frame.fromZ(n);
      dpdu = f.x();
      dpdv = f.y();
    }
    double offset = SurfaceHit.offsetFor(ray, t, point, sphere.extent());
    return new SurfaceHit(t, point, n, n, u, v, dpdu, dpdv, p.material(), p.light(), offset);
  }

  private static SurfaceHit planeHit(Primitive.PlanePrim p, Ray ray, double t) {
    Vec3 point = ray.at(t);
    Plane plane = p.plane();
    Vec3 n = plane.normal();
    Frame f = Frame.fromZ(n);
    Vec3 d = point.minus(plane.point());
    double offset = SurfaceHit.offsetFor(ray, t, point, plane.extent());
    return new SurfaceHit(t, point, n, n, d.dot(f.x()), d.dot(f.y()), f.x(), f.y(), p.material(), null, offset);
  }

  private static SurfaceHit triangleHit(Primitive.Instance in, int tri, double b1, double b2, Ray ray, double t,
      double extent) {
    TriangleMesh mesh = in.mesh();
    Transform xf = in.toWorld();
    int i0 = mesh.vertex(tri, 0);
    int i1 = mesh.vertex(tri, 1);
    int i2 = mesh.vertex(tri, 2);
    double[] pos = mesh.positions;
    Vec3 p0 = new Vec3(pos[3 * i0], pos[3 * i0 + 1], pos[3 * i0 + 2]);
    Vec3 e1 = new Vec3(pos[3 * i1], pos[3 * i1 + 1], pos[3 * i1 + 2]).minus(p0);
    Vec3 e2 = new Vec3(pos[3 * i2], pos[3 * i2 + 1], pos[3 * i2 + 2]).minus(p0);
    double b0 = 1 - b1 - b2;
    Vec3 point = ray.at(t);
    Vec3 ng = e1.cross(e2);
    if (!xf.identity) {
      ng = xf.normal(ng);
    }
    ng = ng.normalized();
    Vec3 ns = ng;
    if (mesh.normals != null) {
      double[] nn = mesh.normals;
      Vec3 n = new Vec3(
          b0 * nn[3 * i0] + b1 * nn[3 * i1] + b2 * nn[3 * i2],
          b0 * nn[3 * i0 + 1] + b1 * nn[3 * i1 + 1] + b2 * nn[3 * i2 + 1],
          b0 * nn[3 * i0 + 2] + b1 * nn[3 * i1 + 2] + b2 * nn[3 * i2 + 2]);
      if (!xf.identity) {
        n = xf.normal(n);
      }
      double len = n.length();
      if (len > 0 && Double.isFinite(len)) {
        ns = n.times(1 / len);
        // The shading normal says which way the author meant the surface to face; keep the geometric one with it.
        if (ns.dot(ng) < 0) {
          ng = ng.negate();
        }
      }
    }
    double u;
    double v;
    Vec3 dpdu;
    Vec3 dpdv;
    if (mesh.uvs != null) {
      double[] uv = mesh.uvs;
      double u0 = uv[2 * i0], v0 = uv[2 * i0 + 1];
      double du1 = uv[2 * i1] - u0, dv1 = uv[2 * i1 + 1] - v0;
      double du2 = uv[2 * i2] - u0, dv2 = uv[2 * i2 + 1] - v0;
      u = u0 + b1 * du1 + b2 * du2;
      v = v0 + b1 * dv1 + b2 * dv2;
      double det = du1 * dv2 - dv1 * du2;
      if (det != 0 && Double.isFinite(1 / det)) {
        double inv = 1 / det;
        dpdu = e1.times(dv2 * inv).plus(e2.times(-dv1 * inv));
        dpdv = e1.times(-du2 * inv).plus(e2.times(du1 * inv));
      } else {
        dpdu = e1;
        dpdv = e2;
      }
    } else {
      u = b1;
      v = b2;
      dpdu = e1;
      dpdv = e2;
    }
    if (!xf.identity) {
      dpdu = xf.vector(dpdu);
      dpdv = xf.vector(dpdv);
    }
    Light light = in.lights() == null ? null : in.lights()[tri];
    double offset = SurfaceHit.offsetFor(ray, t, point, extent);
    return new SurfaceHit(t, point, ng, ns, u, v, dpdu, dpdv, in.material(), light, offset);
  }
}
