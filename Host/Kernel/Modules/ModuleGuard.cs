using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using DaxHolder.Abstractions;
using DaxHolder.Kernel.Modules.Guards;

namespace DaxHolder.Kernel.Modules;

/// <summary>Whose plugin objects a guard covers, and the machine's record of calls into them.</summary>
/// <param name="Module">The plugin.</param>
/// <param name="Calls">The machine's plugin calls (deadline and cancellation).</param>
internal sealed record GuardScope(ModuleIdentity Module, PluginCalls Calls);

/// <summary>
/// The one boundary between the kernel model and plugin code. The kernel wraps each filesystem
/// type once, when it registers it (<see cref="Fs.Filesystems"/>); every contract object the
/// plugin hands back (an image, a mounted filesystem, its file operations, iomap, rmap, holder
/// operations), directly, inside <see cref="ErrnoOr{T}"/> or in a list, is wrapped in turn, so
/// nothing the kernel holds reaches plugin code unguarded. A guard is an ordinary class, one per
/// contract interface (<see cref="Guards"/>: GuardedFileOperations, GuardedDaxHolderOperations,
/// ...), that implements each member of its interface. Every call through a guard:
/// <list type="bullet">
/// <item>is recorded with <see cref="PluginCalls"/>, so a watchdog sees one that does not return;</item>
/// <item>turns an exception into a <see cref="PluginFault"/> naming plugin, version, call and arguments
/// (the kernel's own exceptions, such as an oops inside a kernel service the plugin called, pass through);</item>
/// <item>checks what it returns against the contract (<see cref="ContractChecks"/>).</item>
/// </list>
/// Guarded objects handed back to their plugin as arguments are unwrapped, so the plugin sees its
/// own types. Guards are fresh objects: compare what they return by value, not by reference.
/// </summary>
internal static class ModuleGuard
{
    private static readonly Assembly Kernel = typeof(ModuleGuard).Assembly;

    /// <summary>
    /// A guarded view of <paramref name="target"/>, which belongs to the plugin of <paramref name="scope"/>.
    /// <typeparamref name="T"/> is a contract interface; one without a guard class is a
    /// <see cref="NotSupportedException"/> (every interface of the contract has one).
    /// </summary>
    public static T Wrap<T>(T target, GuardScope scope)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(scope);
        if (target is Guard)
        {
            return target;
        }

        return (T)(object)GuardFactory.Create(typeof(T), target, scope);
    }

    /// <summary>
    /// Runs plugin code that is not a contract call (the module's constructors and Dispose, run by
    /// its DI container) under the same rules: recorded for the deadline, an exception a fault.
    /// </summary>
    public static T Run<T>(GuardScope scope, string call, Func<T> body)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(body);
        scope.Calls.Enter(scope.Module, call, null, null);
        try
        {
            return body();
        }
        catch (Exception e) when (!IsKernels(e))
        {
            throw PluginFault.Threw(scope.Module, call, "", e is TargetInvocationException { InnerException: { } inner } ? inner : e);
        }
        finally
        {
            scope.Calls.Leave();
        }
    }

    /// <summary>Whether <paramref name="value"/> is a guarded plugin object.</summary>
    public static bool IsGuarded(object value) => value is Guard;

    /// <summary>"IMountedFileSystem of plugin 'Xfs' 0.1.0" for a guarded object.</summary>
    public static string Describe(object value) =>
        value is Guard g ? $"{g.Contract} of {g.Scope.Module}" : value.ToString() ?? "";

    /// <summary>The plugin behind a guarded object, or null for any other object.</summary>
    public static ModuleIdentity? ModuleOf(object value) => (value as Guard)?.Scope.Module;

    /// <summary>A plugin's own object behind a guard, for handing it back to that plugin.</summary>
    internal static object? Unwrap(object? value) => value is Guard g ? g.PluginObject : value;

    /// <summary>Whether <paramref name="exception"/> is the kernel model's own (an oops, a fault already named) rather than the plugin's.</summary>
    internal static bool IsKernels(Exception exception) =>
        exception.GetType().Assembly == Kernel || exception is OperationCanceledException;

    /// <summary>Guards a contract object that came out of a plugin.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    internal static T? GuardResult<T>(T? value, GuardScope scope)
        where T : class =>
        // Objects the kernel itself handed to the plugin (an address_space, a superblock) come
        // back as they are: they are the kernel's own and the kernel downcasts them. A guard is
        // one of the kernel's objects too, and is not wrapped twice.
        value is null || IsKernelObject(value) ? value : Wrap(value, scope);

    /// <summary>Whether <paramref name="value"/> is one of the kernel model's own objects (a guard is one).</summary>
    internal static bool IsKernelObject(object value) => value.GetType().Assembly == Kernel;
}
