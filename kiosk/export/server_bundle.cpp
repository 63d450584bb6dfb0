// The server bundle of a USB export; the design is in server_bundle.h.
#include "server_bundle.h"

#include <algorithm>
#include <utility>

#include "bundle.h"
#include "wire.h"

namespace tp {

ServerBundleWriter::ServerBundleWriter(std::unique_ptr<ExportFolder> folder, ExportFile answers, DeviceKey key)
    : folder_(std::move(folder)), answers_file_(std::move(answers)), key_(std::move(key)) {}

Result<ServerBundleWriter> ServerBundleWriter::start(ExportFolder& parent, const DeviceKey& key, std::string venue, std::int64_t made_at) {
  Result<ExportFolder> made = parent.make_folder(bundle::kBundleFolder);
  if (!made) return made.status();
  // On the heap: the file being written refers to its folder, which must not move.
  auto folder = std::make_unique<ExportFolder>(std::move(*made));
  Result<ExportFile> answers = folder->begin_file(bundle::kAnswersFile, /*with_sha256=*/true);
  if (!answers) {
    folder->discard();
    return answers.status();
  }
  ServerBundleWriter w(std::move(folder), std::move(*answers), key);
  w.venue_ = std::move(venue);
  w.made_at_ = made_at;
  w.batch_.reserve(bundle::kBundleBatchAnswers);
  return w;
}

std::uint64_t ServerBundleWriter::bytes() const { return answers_file_.size(); }

Status ServerBundleWriter::add(StoredAnswer answer) {
  first_seq_ = std::min(first_seq_.value_or(answer.seq), answer.seq);
  last_seq_ = std::max(last_seq_.value_or(answer.seq), answer.seq);
  ++answers_;
  batch_.push_back(std::move(answer));
  return batch_.size() >= bundle::kBundleBatchAnswers ? write_batch() : Status{};
}

Status ServerBundleWriter::write_batch() {
  if (batch_.empty()) return {};
  bundle::Manifest ids;
  ids.device_key = key_.public_base64();
  ids.made_at = made_at_;
  wire::Batch b{bundle::bundle_batch_id(ids, batches_), std::move(batch_)};
  ++batches_;
  std::string line = wire::encode(b);
  line += '\n';
  batch_ = std::move(b.answers);
  batch_.clear();
  return answers_file_.write(line);
}

Status ServerBundleWriter::finish_answers(const std::function<void(std::uint64_t done)>& progress) {
  if (Status s = write_batch(); !s) return s;
  return answers_file_.finish(progress);
}

Status ServerBundleWriter::finish() {
  bundle::Manifest m;
  m.device_key = key_.public_base64();
  m.venue = venue_;
  m.made_at = made_at_;
  m.answers = answers_;
  m.batches = batches_;
  m.first_seq = first_seq_.value_or(0);
  m.last_seq = last_seq_.value_or(0);
  m.files.push_back({bundle::kAnswersFile, answers_file_.size(), answers_file_.sha256()});
  const std::string manifest = bundle::encode_manifest(m);
  if (Status s = folder_->write_file(bundle::kManifestFile, manifest); !s) return s;
  return folder_->write_file(bundle::kSignatureFile, bundle::sign_manifest(manifest, key_));
}

void ServerBundleWriter::discard() { folder_->discard(); }

}  // namespace tp
