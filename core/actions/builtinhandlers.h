#pragma once

namespace Taskdeck::Core {

class HandlerRegistry;

// Handlers every engine has, for smoke tests, benchmarks and demos:
//   noop   succeeds at once
//   sleep  {"ms": N, "every_ms": S}: waits N ms in slices of S (default 10), reporting progress
//          after each and honouring cancel
//   fail   {"error": "..."}: fails with that error (default "failed on purpose")
void registerBuiltinHandlers(HandlerRegistry &registry);

} // namespace Taskdeck::Core
