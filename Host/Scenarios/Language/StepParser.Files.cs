using DaxHolder.Abstractions;

namespace DaxHolder.Scenarios.Language;

/// <summary>The file-lifecycle steps: namespace, attributes, open files, sync, mount and FICLONE.</summary>
internal sealed partial class ScenarioParser
{
    private readonly HashSet<string> fds = new(StringComparer.Ordinal);

    private Step ParseFileStep(string kind, YamlMap s, IReadOnlyList<ExpectationBlock> expect)
    {
        var at = s.Location;
        NeedFileSystem(at, kind);
        switch (kind)
        {
            case "mkdir" or "readdir" or "stat":
                return new PathStep(at, expect, kind, kind == "readdir" ? DirectoryPath(s) : FilePath(s, "path"));
            case "create":
                var created = FilePath(s, "path");
                var size = s.Has("size") ? FileLength(s, "size") : ByteLength.Zero;
                KnowFile(s, "path", created);
                return new CreateStep(at, expect, created, size);
            case "chattr":
                return new ChattrStep(at, expect, DirectoryPath(s), s.Bool("dax") ?? throw s.Missing("dax"));
            case "open":
                var task = Task(s, "task");
                var path = FilePath(s, "path");
                var name = s.RequiredString("as");
                return fds.Add(name) ? new OpenStep(at, expect, task, path, name) : throw new ScenarioException(s.At("as"), $"an open file named '{name}' already exists");
            case "close":
                return new CloseStep(at, expect, Task(s, "task"), Fd(s));
            case "fsync":
                if (s.Has("path") == s.Has("fd"))
                {
                    throw new ScenarioException(at, "fsync takes a path, or a task and the fd it opened (open: ..., as: NAME)");
                }

                return s.Has("path") ? new FsyncStep(at, expect, FilePath(s, "path"), null, null) : new FsyncStep(at, expect, null, Task(s, "task"), Fd(s));
            case "sync":
                return new SyncStep(at, expect);
            case "umount":
                return new UmountStep(at, expect, s.String("task") is not null ? Task(s, "task") : null);
            case "mount":
                return new MountStep(at, expect, s.Has("options") ? Options(s, "options") : null);
            default:
                var from = FilePath(s, "from");
                var to = FilePath(s, "to");
                if (from == to)
                {
                    throw new ScenarioException(s.At("to"), "FICLONE of a file onto itself: give another destination");
                }

                KnowFile(s, "to", to);
                return new CloneStep(at, expect, from, to);
        }
    }

    /// <summary>A file a step makes: later steps may name it (mmap, pread, targets).</summary>
    private void KnowFile(YamlMap s, string key, string path)
    {
        if (!files.Contains(path) && files.Count >= ScenarioLimits.Files)
        {
            throw new ScenarioException(s.At(key), $"more than {ScenarioLimits.Count(ScenarioLimits.Files)} files");
        }

        files.Add(path);
    }

    /// <summary>An absolute path that may be the root ("/").</summary>
    private static string DirectoryPath(YamlMap s) => s.String("path") == "/" ? "/" : FilePath(s, "path");

    private string Fd(YamlMap s)
    {
        var name = s.RequiredString("fd");
        return fds.Contains(name) ? name : throw new ScenarioException(s.At("fd"), $"no open file named '{name}' exists at this step (open it first, with as: {name})");
    }
}
