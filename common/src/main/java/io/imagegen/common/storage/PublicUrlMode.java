package io.imagegen.common.storage;

/** How image objects become downloadable without credentials; each suits a different S3 implementation. */
public enum PublicUrlMode {
  /** Short-lived signed GET URLs: works on AWS S3, MinIO and S3Proxy, needs no bucket setup. */
  PRESIGNED,
  /** Per-object {@code public-read} ACL: S3Proxy and ACL-enabled buckets; MinIO ignores ACLs. */
  ACL,
  /** The operator exposes the image prefix (bucket policy, CDN); URLs are {@code base URL + key}. */
  BASE_URL
}
