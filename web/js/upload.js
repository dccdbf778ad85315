// A material's upload straight to the bucket through the presigned URLs media hands out:
// hash the file in chunks (SHA-256 by hash-wasm, never the whole file in memory), ask for a
// slot, PUT the bytes (one PUT, or each part of a multipart upload, retrying a failed part),
// then tell media it is complete. Progress comes from XMLHttpRequest's upload events.

import { createSHA256 } from "/vendor/hash-wasm/dist/index.esm.min.js";
import { post } from "./api.js";

const HASH_CHUNK = 8 * 1024 * 1024;
const PART_TRIES = 4;
const PARALLEL_PARTS = 3;

const TYPES = {
  mp4: "video/mp4",
  m4v: "video/mp4",
  mov: "video/quicktime",
  webm: "video/webm",
  mkv: "video/x-matroska",
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ppt: "application/vnd.ms-powerpoint",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
};

export const ACCEPT = {
  promo_video: ".mp4,.mov,.webm,.mkv,video/mp4,video/quicktime,video/webm,video/x-matroska",
  introduction: ".pdf,.doc,.docx,.ppt,.pptx,.jpg,.jpeg,.png",
  proof: ".pdf,.doc,.docx,.ppt,.pptx,.jpg,.jpeg,.png",
};

/** The content type to declare: from the extension (browsers leave .mkv and others empty). */
export function contentTypeOf(file) {
  const ext = (file.name.split(".").pop() || "").toLowerCase();
  return TYPES[ext] || file.type || "application/octet-stream";
}

export async function sha256(file, onProgress) {
  const hasher = await createSHA256();
  hasher.init();
  for (let offset = 0; offset < file.size; offset += HASH_CHUNK) {
    const chunk = new Uint8Array(await file.slice(offset, offset + HASH_CHUNK).arrayBuffer());
    hasher.update(chunk);
    onProgress(Math.min(file.size, offset + HASH_CHUNK) / file.size);
  }
  if (file.size === 0) onProgress(1);
  return hasher.digest("hex");
}

class PutFailed extends Error {}

/** One PUT with upload progress; resolves to the response's ETag. */
function put(url, body, headers, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("PUT", url);
    for (const [k, v] of Object.entries(headers || {})) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(body.size);
        resolve(xhr.getResponseHeader("ETag"));
      } else {
        reject(new PutFailed(`存储服务拒绝了上传（HTTP ${xhr.status}）`));
      }
    };
    xhr.onerror = () => reject(new PutFailed("网络中断，上传失败"));
    xhr.ontimeout = () => reject(new PutFailed("上传超时"));
    xhr.send(body);
  });
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * An upload in progress. `start()` hashes, asks for the slot and sends every part; when parts
 * still fail after their retries it rejects, and `resume()` sends only the parts not yet sent.
 */
export class Upload {
  constructor(submissionId, kind, file, onStatus) {
    this.submissionId = submissionId;
    this.kind = kind;
    this.file = file;
    this.onStatus = onStatus; // ({phase, fraction, loaded, total, message})
    this.slot = null;
    this.etags = new Map();
    this.loaded = new Map();
  }

  async start() {
    const digest = await sha256(this.file, (f) => this.onStatus({ phase: "hashing", fraction: f }));
    this.slot = await post(`/api/v1/submissions/${this.submissionId}/materials`, {
      kind: this.kind,
      filename: this.file.name,
      content_type: contentTypeOf(this.file),
      size: this.file.size,
      sha256: digest,
    });
    return this.send();
  }

  /**
   * Fresh URLs from media (the first ones expire after `urls_expire_at`) and the parts the
   * bucket already holds (also after a page reload), then only what is still missing.
   */
  async resume() {
    const fresh = await post(`/api/v1/materials/${this.slot.material_id}/upload`, {});
    this.slot = { ...this.slot, ...fresh };
    for (const part of fresh.uploaded_parts || []) {
      this.etags.set(part.part_number, part.etag);
      this.loaded.set(part.part_number, part.size);
    }
    return this.send();
  }

  get materialId() {
    return this.slot && this.slot.material_id;
  }

  report() {
    let loaded = 0;
    for (const n of this.loaded.values()) loaded += n;
    const total = this.file.size;
    this.onStatus({ phase: "uploading", fraction: total ? loaded / total : 1, loaded, total });
  }

  async send() {
    const upload = this.slot.upload;
    if (!upload.parts) {
      const headers = upload.headers || { "Content-Type": contentTypeOf(this.file) };
      await this.withRetries(1, () =>
        put(upload.url, this.file, headers, (n) => {
          this.loaded.set(1, n);
          this.report();
        }),
      );
      return this.complete({});
    }
    const size = upload.part_size;
    const waiting = upload.parts.filter((p) => !this.etags.has(p.part_number));
    const failed = [];
    const worker = async () => {
      while (waiting.length) {
        const part = waiting.shift();
        const from = (part.part_number - 1) * size;
        const blob = this.file.slice(from, Math.min(this.file.size, from + size));
        try {
          const etag = await this.withRetries(part.part_number, () =>
            put(part.url, blob, {}, (n) => {
              this.loaded.set(part.part_number, n);
              this.report();
            }),
          );
          this.etags.set(part.part_number, etag);
        } catch (error) {
          this.loaded.set(part.part_number, 0);
          failed.push(part.part_number);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_PARTS }, worker));
    if (failed.length) {
      failed.sort((a, b) => a - b);
      throw new PutFailed(`第 ${failed.join("、")} 个分片多次重试后仍未上传成功，可点击“继续上传”重试这些分片`);
    }
    const parts = [...this.etags.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([part_number, etag]) => ({ part_number, etag }));
    return this.complete({ parts });
  }

  async withRetries(partNumber, attempt) {
    for (let i = 1; ; i += 1) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof PutFailed) || i >= PART_TRIES) throw error;
        this.loaded.set(partNumber, 0);
        this.onStatus({ phase: "retrying", message: `${error.message}，${2 ** (i - 1)} 秒后第 ${i} 次重试…` });
        await pause(1000 * 2 ** (i - 1));
      }
    }
  }

  async complete(body) {
    this.onStatus({ phase: "completing", fraction: 1 });
    return post(`/api/v1/materials/${this.slot.material_id}/complete`, body);
  }
}
