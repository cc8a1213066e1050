package io.imagegen.common.storage;

/**
 * Every key the services write, in one place: which prefix holds what, and which objects may be read without
 * credentials (only generated images). The layout is described in docs/architecture.md ("Storage layout").
 *
 * <pre>
 *   tasks/{task_id}.json                    task record                      private
 *   images/{task_id}/{attempt}-{i}.{ext}    generated image                  public
 *   inputs/{task_id}/{i}, …/mask            edit-mode input image, mask      private
 *   idempotency/{owner}/{sha256(key)}.json  Idempotency-Key claim            private
 *   owners/{owner}/images/{image_id}.json   the owner's image record         private
 *   owners/{owner}/tasks/{rev}_{task_id}    the owner's task index entry     private
 * </pre>
 * {@code rev} is the task's creation second subtracted from 2^32, in 8 hex digits, so listings run newest first.
 */
public final class BucketLayout {
  private static final String TASKS = "tasks/";
  private static final String IMAGES = "images/";
  private static final String INPUTS = "inputs/";
  private static final String IDEMPOTENCY = "idempotency/";
  private static final String OWNERS = "owners/";
  /** Where the creation second starts in a task id ({@code image_} + 8 hex digits + 16 random ones). */
  private static final int TASK_ID_TIME = "image_".length();

  private BucketLayout() {
  }

  /** The task record of {@code taskId}. */
  public static String task(String taskId) {
    return TASKS + taskId + ".json";
  }

  /**
   * Image {@code index} of {@code taskId} from attempt {@code attempt}: fixed per task, attempt and index, so a replay
   * overwrites its own object while a racing second worker writes elsewhere and never changes a published URL's bytes.
   */
  public static String image(String taskId, int attempt, int index, String extension) {
    return images(taskId) + attempt + "-" + index + "." + extension;
  }

  /** Every generated image of {@code taskId}, all attempts. */
  public static String images(String taskId) {
    return IMAGES + taskId + "/";
  }

  /** Edit-mode input {@code index} of {@code taskId}. */
  public static String input(String taskId, int index) {
    return inputs(taskId) + index;
  }

  /** The edit mask of {@code taskId}. */
  public static String mask(String taskId) {
    return inputs(taskId) + "mask";
  }

  /** Every input image (and the mask) of {@code taskId}. */
  public static String inputs(String taskId) {
    return INPUTS + taskId + "/";
  }

  /** The claim of an {@code Idempotency-Key} whose SHA-256 is {@code keyHash}, per owner. */
  public static String idempotency(String owner, String keyHash) {
    return IDEMPOTENCY + owner + "/" + keyHash + ".json";
  }

  /** Every image record of {@code owner}; record ids sort by creation time. */
  public static String ownerImages(String owner) {
    return OWNERS + owner + "/images/";
  }

  /** The record of image {@code imageId} of {@code owner}. */
  public static String ownerImage(String owner, String imageId) {
    return ownerImages(owner) + imageId + ".json";
  }

  /** Every task index entry of {@code owner}, newest first. */
  public static String ownerTasks(String owner) {
    return OWNERS + owner + "/tasks/";
  }

  /** The index entry of task {@code taskId} (whose id begins with its creation second) in {@code owner}'s list. */
  public static String ownerTask(String owner, String taskId) {
    long created = Long.parseLong(taskId.substring(TASK_ID_TIME, TASK_ID_TIME + 8), 16);
    return ownerTasks(owner) + String.format("%08x", 0xFFFF_FFFFL - created) + "_" + taskId;
  }

  /** The task id an entry under {@link #ownerTasks} stands for. */
  public static String taskOfEntry(String key) {
    return key.substring(key.lastIndexOf('/') + 1 + 9);
  }

  /** Whether {@code key} may be downloaded without credentials; everything but generated images is private. */
  public static boolean isPublic(String key) {
    return key.startsWith(IMAGES);
  }
}
