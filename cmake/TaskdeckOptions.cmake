# One INTERFACE target carries the compile settings every Taskdeck target shares.
add_library(taskdeck_options INTERFACE)
add_library(Taskdeck::options ALIAS taskdeck_options)

target_compile_features(taskdeck_options INTERFACE cxx_std_20)
target_compile_definitions(taskdeck_options INTERFACE
    QT_NO_CAST_FROM_ASCII
    QT_NO_CAST_TO_ASCII
    QT_NO_CONTEXTLESS_CONNECT
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT
    QT_NO_URL_CAST_FROM_STRING
    QT_USE_QSTRINGBUILDER
    QT_NO_FOREACH
    QT_NO_KEYWORDS
    TASKDECK_VERSION="${PROJECT_VERSION}")
target_compile_options(taskdeck_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2)
if(TASKDECK_WARNINGS_AS_ERRORS)
    target_compile_options(taskdeck_options INTERFACE -Werror)
endif()

if(TASKDECK_SANITIZE)
    string(REPLACE "," ";" _taskdeck_sanitizers "${TASKDECK_SANITIZE}")
    foreach(_san IN LISTS _taskdeck_sanitizers)
        if(NOT _san MATCHES "^(address|undefined|leak|thread)$")
            message(FATAL_ERROR "TASKDECK_SANITIZE: unknown sanitizer '${_san}'")
        endif()
    endforeach()
    target_compile_options(taskdeck_options INTERFACE
        -fsanitize=${TASKDECK_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(taskdeck_options INTERFACE -fsanitize=${TASKDECK_SANITIZE})
endif()
