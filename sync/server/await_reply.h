// A synchronous call made of an asynchronous one: `start` is handed a
// callback, which may be called on any thread, and the caller waits for
// the value given to it.
//
// Invariant: the callback owns a share of the promise. If every copy of it
// is dropped uncalled (a commit that failed, a reply that could not be
// made), the wait ends with std::future_error (broken_promise), never
// waits without end.
#pragma once
#include <functional>
#include <future>
#include <memory>
#include <utility>

namespace tp::server {

template <class T, class Start>
T await_reply(Start&& start) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  std::forward<Start>(start)(std::function<void(T)>([promise](T value) { promise->set_value(std::move(value)); }));
  return future.get();
}

}  // namespace tp::server
