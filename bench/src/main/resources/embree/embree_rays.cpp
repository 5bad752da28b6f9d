// The Embree side of `tilefarm bench --sections tracer`: reads the mesh and the rays that the Java tracer's
// RayTriangleBenchmark traces (written by RayWorkload.export), builds Embree's BVH over them on one thread, and
// traces every ray one at a time (rtcIntersect1 for closest hit, rtcOccluded1 for any hit), over and over for the
// given seconds each. Prints "closest RAYS_PER_SECOND HITS" and "any RAYS_PER_SECOND HITS", HITS per pass.
// Built by the bench at run time: g++ -O2 -std=c++17 embree_rays.cpp -lembree3
#include <embree3/rtcore.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <vector>

static int32_t readInt(std::ifstream& in) {
  int32_t v;
  in.read(reinterpret_cast<char*>(&v), 4);
  return v;
}

int main(int argc, char** argv) {
  // Ends with the bench that started it, even a bench killed with SIGKILL (which stops nothing itself): Linux sends
  // SIGTERM when the parent dies; a parent already gone before this line is the pid in TILEFARM_EXIT_WITH_PARENT no
  // longer being ours.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (const char* parent = std::getenv("TILEFARM_EXIT_WITH_PARENT")) {
    if (std::atol(parent) != static_cast<long>(getppid())) {
      return 3;
    }
  }
  if (argc != 4) {
    std::fprintf(stderr, "usage: embree_rays FILE SECONDS ANY_HIT_TMAX\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  const double seconds = std::atof(argv[2]);
  const float anyTmax = static_cast<float>(std::atof(argv[3]));
  const int32_t vertices = readInt(in), triangles = readInt(in), rayCount = readInt(in);
  std::vector<float> positions(3 * static_cast<size_t>(vertices));
  std::vector<uint32_t> indices(3 * static_cast<size_t>(triangles));
  std::vector<float> rays(6 * static_cast<size_t>(rayCount));
  in.read(reinterpret_cast<char*>(positions.data()), positions.size() * 4);
  in.read(reinterpret_cast<char*>(indices.data()), indices.size() * 4);
  in.read(reinterpret_cast<char*>(rays.data()), rays.size() * 4);
  if (!in) {
    std::fprintf(stderr, "%s is shorter than its header says\n", argv[1]);
    return 2;
  }

  RTCDevice device = rtcNewDevice("threads=1");
  if (!device) {
    std::fprintf(stderr, "rtcNewDevice failed: %d\n", rtcGetDeviceError(nullptr));
    return 3;
  }
  RTCScene scene = rtcNewScene(device);
  rtcSetSceneBuildQuality(scene, RTC_BUILD_QUALITY_HIGH);
  RTCGeometry geometry = rtcNewGeometry(device, RTC_GEOMETRY_TYPE_TRIANGLE);
  float* vb = static_cast<float*>(rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_VERTEX, 0, RTC_FORMAT_FLOAT3,
      3 * sizeof(float), vertices));
  uint32_t* ib = static_cast<uint32_t*>(rtcSetNewGeometryBuffer(geometry, RTC_BUFFER_TYPE_INDEX, 0, RTC_FORMAT_UINT3,
      3 * sizeof(uint32_t), triangles));
  std::copy(positions.begin(), positions.end(), vb);
  std::copy(indices.begin(), indices.end(), ib);
  rtcCommitGeometry(geometry);
  rtcAttachGeometry(scene, geometry);
  rtcReleaseGeometry(geometry);
  rtcCommitScene(scene);

  RTCIntersectContext context;
  rtcInitIntersectContext(&context);
  auto closestPass = [&]() {
    int hits = 0;
    for (int32_t i = 0; i < rayCount; i++) {
      const float* r = &rays[6 * static_cast<size_t>(i)];
      RTCRayHit rh;
      rh.ray.org_x = r[0]; rh.ray.org_y = r[1]; rh.ray.org_z = r[2];
      rh.ray.dir_x = r[3]; rh.ray.dir_y = r[4]; rh.ray.dir_z = r[5];
      rh.ray.tnear = 0.0f;
      rh.ray.tfar = std::numeric_limits<float>::infinity();
      rh.ray.time = 0.0f;
      rh.ray.mask = 0xFFFFFFFFu;
      rh.ray.id = 0;
      rh.ray.flags = 0;
      rh.hit.geomID = RTC_INVALID_GEOMETRY_ID;
      rh.hit.instID[0] = RTC_INVALID_GEOMETRY_ID;
      rtcIntersect1(scene, &context, &rh);
      hits += rh.hit.geomID != RTC_INVALID_GEOMETRY_ID;
    }
    return hits;
  };
  auto anyPass = [&]() {
    int hits = 0;
    for (int32_t i = 0; i < rayCount; i++) {
      const float* r = &rays[6 * static_cast<size_t>(i)];
      RTCRay ray;
      ray.org_x = r[0]; ray.org_y = r[1]; ray.org_z = r[2];
      ray.dir_x = r[3]; ray.dir_y = r[4]; ray.dir_z = r[5];
      ray.tnear = 0.0f;
      ray.tfar = anyTmax;
      ray.time = 0.0f;
      ray.mask = 0xFFFFFFFFu;
      ray.id = 0;
      ray.flags = 0;
      rtcOccluded1(scene, &context, &ray);
      hits += ray.tfar < 0.0f;  // Embree sets tfar to -inf when the ray is occluded
    }
    return hits;
  };
  auto rate = [&](auto pass, int* hits) {
    *hits = pass();  // warm-up pass
    auto t0 = std::chrono::steady_clock::now();
    long traced = 0;
    double elapsed = 0;
    do {
      pass();
      traced += rayCount;
      elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (elapsed < seconds);
    return traced / elapsed;
  };
  int closestHits = 0, anyHits = 0;
  double closest = rate(closestPass, &closestHits);
  double any = rate(anyPass, &anyHits);
  std::printf("closest %.0f %d\nany %.0f %d\n", closest, closestHits, any, anyHits);
  rtcReleaseScene(scene);
  rtcReleaseDevice(device);
  return 0;
}
