namespace Backprop.Autograd;

/// <summary>Whether operations on this thread record the graph for backward.</summary>
internal static class GradMode
{
    [ThreadStatic]
    private static bool t_disabled;

    /// <summary>True unless inside <see cref="Tensor.NoGrad"/> (and not inside an <see cref="Tensor.EnableGrad"/> within it).</summary>
    public static bool IsEnabled => !t_disabled;

    /// <summary>Sets the mode and returns the one it replaces.</summary>
    public static bool Set(bool enabled)
    {
        var previous = !t_disabled;
        t_disabled = !enabled;
        return previous;
    }
}
