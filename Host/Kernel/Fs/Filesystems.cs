using DaxHolder.Abstractions.Fs;
using DaxHolder.Kernel.Modules;
using Microsoft.Extensions.DependencyInjection;

namespace DaxHolder.Kernel.Fs;

/// <summary>A registered filesystem type: the guarded type and the module that provides it.</summary>
/// <param name="Name">fs_type-&gt;name, read once at registration.</param>
/// <param name="Type">The type, guarded.</param>
/// <param name="Scope">Its module, and the machine's plugin calls.</param>
internal sealed record FileSystemTypeEntry(string Name, IFileSystemType Type, GuardScope Scope);

/// <summary>
/// fs/filesystems.c: register_filesystem() and get_fs_type(). At boot every module (plugin)
/// gets its own container built from its registrations, its filesystem types are created and
/// each is wrapped once in the guard (<see cref="ModuleGuard"/>): from here on the kernel only
/// holds guarded plugin objects. Disposing the machine unloads the modules (module exit),
/// through the guard as well.
/// </summary>
internal sealed class Filesystems : IDisposable
{
    private readonly List<FileSystemTypeEntry> types = [];
    private readonly List<(GuardScope Scope, ServiceProvider Provider)> modules = [];

    public Filesystems(IEnumerable<KernelModule> loaded, PluginCalls calls)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        foreach (var module in loaded)
        {
            var scope = new GuardScope(module.Identity, calls);
            var collection = new ServiceCollection();
            foreach (var registration in module.Registrations)
            {
                ((ICollection<ServiceDescriptor>)collection).Add(registration);
            }

            var provider = collection.BuildServiceProvider();
            modules.Add((scope, provider));
            var created = ModuleGuard.Run(scope, "module init", () => provider.GetServices<IFileSystemType>().ToList());
            foreach (var type in created)
            {
                var guarded = ModuleGuard.Wrap(type, scope);
                RegisterFilesystem(new FileSystemTypeEntry(guarded.Name, guarded, scope));
            }
        }
    }

    /// <summary>The registered types, in registration order (as /proc/filesystems lists them).</summary>
    public IReadOnlyList<FileSystemTypeEntry> Types => types;

    /// <summary>get_fs_type(name): the registered type of that name, or null.</summary>
    public FileSystemTypeEntry? GetFsType(string name) => types.FirstOrDefault(t => t.Name == name);

    /// <summary>Module exit: each module's container is disposed (its types' Dispose runs, guarded).</summary>
    public void Dispose()
    {
        foreach (var (scope, provider) in modules)
        {
            if (!scope.Calls.IsAbandoned)
            {
                ModuleGuard.Run(scope, "module exit", () =>
                {
                    provider.Dispose();
                    return 0;
                });
            }
        }

        modules.Clear();
    }

    /// <summary>register_filesystem(): -EBUSY in the kernel for a name already registered; the loader refuses such a pair before boot.</summary>
    private void RegisterFilesystem(FileSystemTypeEntry entry)
    {
        if (GetFsType(entry.Name) is { } existing)
        {
            throw new InvalidOperationException($"filesystem '{entry.Name}' of {entry.Scope.Module} is already registered by {existing.Scope.Module}");
        }

        types.Add(entry);
    }
}
