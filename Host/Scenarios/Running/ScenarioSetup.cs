using DaxHolder.Abstractions;
using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Fs;
using DaxHolder.Scenarios.Language;
using DaxHolder.Scenarios.Reports;

namespace DaxHolder.Scenarios.Running;

/// <summary>
/// Set-up, as an administrator would do it before the test: sysctls, the namespace (ndctl
/// create-namespace), mkfs, mount, and the files (create, write or fallocate, cp --reflink,
/// FICLONERANGE). mkfs refusing its options or a file that cannot be made is the scenario's
/// error; a refused mount is a kernel decision and is reported.
/// </summary>
internal static class ScenarioSetup
{
    /// <summary>Runs set-up; returns its result ("0" or why the mount failed) and what it did to each file.</summary>
    public static (StepResult Result, List<SetupRecord> Notes) Run(RunState state)
    {
        var scenario = state.Scenario;
        var machine = state.Machine;
        machine.Kernel.Sysctls.MemoryFailureEarlyKill = scenario.Sysctls.EarlyKill;
        machine.Kernel.Sysctls.MemoryFailureRecovery = scenario.Sysctls.Recovery;
        var device = scenario.Device;
        if (device.Mode == DeviceMode.Devdax)
        {
            state.Devdax = machine.Nvdimm.AddDevdaxNamespace(device.PhysicalBase, device.Size, device.DataOffset, device.Align);
            return (StepResult.Ok, []);
        }

        state.Pmem = machine.Nvdimm.AddFsdaxNamespace(device.PhysicalBase, device.Size, device.DataOffset, device.Memmap);
        if (scenario.FileSystem is not { } fs)
        {
            return (StepResult.Ok, []);
        }

        var type = state.Type!;
        var buildsFiles = type.Type.BuildsFilesAtMkfs;
        var image = buildsFiles ? MkfsFromSourceTree(state, fs) : Vfs.Mkfs(type, state.Pmem.Disk, fs.Mkfs);
        if (!image.IsOk)
        {
            throw new ScenarioException(fs.MkfsAt, $"mkfs.{fs.Type} {fs.Mkfs}: {image.Error.ToKernelString()}{(image.Message is null ? "" : ": " + image.Message)}");
        }

        state.Image = image.Value;
        var mounted = Mount(state);
        if (mounted != StepResult.Ok)
        {
            return (mounted, []);
        }

        var notes = new List<SetupRecord>();
        if (buildsFiles)
        {
            return (StepResult.Ok, [.. scenario.Files.Select(f => new FileBuiltByMkfs(f.Path, f.Size, fs.Type, f.ToSourceFile().Content.ToString()))]);
        }

        foreach (var file in scenario.Files)
        {
            MakeFile(state.Mount!, scenario.Files, file, notes);
        }

        return (StepResult.Ok, notes);
    }

    /// <summary>mount(2) with the options in force (the scenario's, or a mount step's): 0, or the errno and message the filesystem gave.</summary>
    public static StepResult Mount(RunState state)
    {
        var fs = state.Scenario.FileSystem!;
        var mounted = state.Machine.Vfs.Mount(state.Type!, state.Image!, state.Pmem!.Disk, state.MountOptions ?? fs.Mount);
        if (!mounted.IsOk)
        {
            state.Mount = null;
            return StepResult.Of(mounted.Error, mounted.Message) with { Prefix = "mount: " };
        }

        state.Mount = mounted.Value;
        return StepResult.Ok;
    }

    /// <summary>
    /// mkfs of a filesystem that builds its files from a source tree (mkfs.erofs IMAGE DIR): the
    /// scenario's files are that tree, so a file must be plain written data; clones, clone ranges,
    /// extent-size hints, split extents, unwritten and sparse files cannot be expressed in it.
    /// </summary>
    private static ErrnoOr<IFileSystemImage> MkfsFromSourceTree(RunState state, FileSystemSpec fs)
    {
        foreach (var file in state.Scenario.Files)
        {
            var refused = file.CloneOf is not null ? "clone-of"
                : file.CloneRanges.Count > 0 ? "clone-ranges"
                : file.ExtentSizeHint is not null ? "extent-size-hint"
                : file.Extents > 1 ? "extents"
                : file.Contents != FileContents.Data ? $"contents: {file.Contents.ToString().ToLowerInvariant()}"
                : null;
            if (refused is not null)
            {
                throw new ScenarioException(file.At, $"{file.Path}: mkfs.{fs.Type} builds the files from a source tree at mkfs, where '{refused}' cannot be expressed; give the file's data (size and content) instead");
            }
        }

        var request = new MkfsRequest(state.Pmem!.Disk, fs.Mkfs) { Files = [.. state.Scenario.Files.Select(f => f.ToSourceFile())] };
        return state.Type!.Type.Mkfs(request);
    }

    private static void MakeFile(Mount mount, IReadOnlyList<FileSpec> files, FileSpec file, List<SetupRecord> notes)
    {
        var created = FileIo.Create(mount, file.Path, new FileCreateOptions(file.ExtentSizeHint));
        Need(created.IsOk ? Errno.Ok : created.Error, file, $"create {file.Path}", created.Message);
        if (file.CloneOf is { } source)
        {
            var size = SizeOf(files, source);
            var cloned = FileIo.WithOpen(mount, source, src => FileIo.WithOpen(mount, file.Path, dst => mount.FileSystem.Files.Clone(src, dst)));
            if (cloned != Errno.Ok && file.CopyOnCloneFailure)
            {
                Need(FileIo.ReadWrite(mount, file.Path, default, size, write: true), file, $"copy {source} to {file.Path}", null);
            }

            notes.Add(new FileCloned(source, file.Path, cloned, file.CopyOnCloneFailure));
        }
        else
        {
            var filled = file.Contents switch
            {
                FileContents.Data when file.Extents > 1 => WriteFragmented(mount, file),
                FileContents.Data => FileIo.ReadWrite(mount, file.Path, default, file.Size, write: true),
                FileContents.Unwritten => FileIo.WithOpen(mount, file.Path, ino => mount.FileSystem.Files.Fallocate(ino, FallocateMode.Allocate, default, file.Size)),
                _ => FileIo.WithOpen(mount, file.Path, ino => mount.FileSystem.Files.Truncate(ino, file.Size)),
            };
            Need(filled, file, $"{file.Contents.ToString().ToLowerInvariant()} {file.Path} 0+{file.Size}", null);
        }

        foreach (var range in file.CloneRanges)
        {
            var cloned = FileIo.WithOpen(mount, range.Source, src => FileIo.WithOpen(mount, file.Path, dst =>
                mount.FileSystem.Files.CloneRange(src, range.SourceOffset, dst, range.Offset, range.Length)));
            if (cloned != Errno.Ok && file.CopyOnCloneFailure)
            {
                Need(FileIo.ReadWrite(mount, file.Path, range.Offset, range.Length, write: true), file, $"write {file.Path}+{range.Offset}", null);
            }

            notes.Add(new FileRangeCloned(range.Source, range.SourceOffset, file.Path, range.Offset, range.Length, cloned, file.CopyOnCloneFailure));
        }
    }

    /// <summary>
    /// A file in several extents: truncate to its size, then pwrite the even pieces of 2·Extents
    /// (the odd ones stay holes), all through one open.
    /// </summary>
    private static Errno WriteFragmented(Mount mount, FileSpec file)
    {
        var piece = file.Size.Value / (2UL * (ulong)file.Extents);
        return FileIo.WithOpen(mount, file.Path, ino =>
        {
            var rc = mount.FileSystem.Files.Truncate(ino, file.Size);
            for (var i = 0; i < file.Extents && rc == Errno.Ok; i++)
            {
                var done = mount.FileSystem.Files.Write(ino, new FileOffset(2UL * (ulong)i * piece), new ByteLength(piece));
                rc = done.IsOk ? (done.Value.Value == piece ? Errno.Ok : Errno.EIO) : done.Error;
            }

            return rc;
        });
    }

    /// <summary>A listed file's size: its own, or (for a clone) its source's.</summary>
    private static ByteLength SizeOf(IReadOnlyList<FileSpec> files, string path)
    {
        var file = files.First(f => f.Path == path);
        return file.CloneOf is { } source ? SizeOf(files, source) : file.Size;
    }

    private static void Need(Errno result, FileSpec file, string what, string? message)
    {
        if (result != Errno.Ok)
        {
            throw new ScenarioException(file.At, $"{what}: {result.ToKernelString()}{(message is null ? "" : ": " + message)}");
        }
    }

}
