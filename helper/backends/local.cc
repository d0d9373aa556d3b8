// The embedded local backend.
#include "config/config.h"
#include "helper/backends/backend.h"
#include "helper/backends/helper_codes.h"
#include "helper/store/user_store.h"

namespace sspr {
namespace {

class LocalBackend : public HelperCodesBackend {
 public:
  LocalBackend(const Config& c, std::unique_ptr<CodeSender> sender,
               Clock* clock)
      : HelperCodesBackend(c, std::move(sender), clock),
        clock_(clock),
        store_(c.state_dir) {}

  bool Init(std::string* err) { return store_.Init(err) && codes_.Init(err); }

  bool Lookup(const std::string& user, UserRecord* rec,
              std::string* err) override {
    bool found = false;
    if (!store_.Load(user, rec, &found, err)) return false;
    if (!found) *rec = UserRecord{user, {}, 0, 0};
    return true;
  }

  bool Save(const std::string& user, const Method& m,
            std::string* err) override {
    // Questions are proved by their answers; anything else by a code.
    if (m.Kind() != MethodKind::kQuestions && !codes_.TakeVerified(m, err))
      return false;
    return store_.AddMethod(user, m, clock_->Now(), err);
  }

 private:
  Clock* clock_;
  UserStore store_;
};

}  // namespace

std::unique_ptr<Backend> MakeLocalBackend(const Config& c,
                                          std::unique_ptr<CodeSender> sender,
                                          Clock* clock, std::string* err) {
  auto b = std::make_unique<LocalBackend>(c, std::move(sender), clock);
  if (!b->Init(err)) return nullptr;
  return b;
}

}  // namespace sspr
