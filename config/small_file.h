// Reading the small files the admin writes (config, secrets, texts,
// questions) and walking their lines. One implementation so every such
// file gets the same checks: a regular file (no symlink, no FIFO that could
// hang sshd), the owner and mode its rule asks for, a size limit.
#ifndef SSPR_CONFIG_SMALL_FILE_H_
#define SSPR_CONFIG_SMALL_FILE_H_

#include <stddef.h>

#include <functional>
#include <string>

namespace sspr {

enum class FileRule {
  kAnyOwner,         // tests and tools that read a file given by the user
  kRootNotWritable,  // owned by root, not writable by group or others
  kRootPrivate,      // owned by root, no group or other bits (0600/0400)
};

// Reads all of `path` (at most `max` bytes) into *text. On failure *err
// starts with the path and says what is wrong and how to fix it, and
// *open_errno (if given) is the errno of a failed open(), else 0. The
// read buffer is wiped, so secrets leave no copy behind.
bool ReadSmallFile(const std::string& path, FileRule rule, size_t max,
                   std::string* text, std::string* err,
                   int* open_errno = nullptr);

// Calls fn(line, where) for each line of text, a trailing '\r' removed;
// `where` is "path:N: " for error messages. Stops at the first false.
bool ForEachLine(const std::string& text, const std::string& path,
                 const std::function<bool(std::string* line,
                                          const std::string& where)>& fn);

}  // namespace sspr

#endif  // SSPR_CONFIG_SMALL_FILE_H_
