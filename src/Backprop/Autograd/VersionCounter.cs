namespace Backprop.Autograd;

/// <summary>
/// Counts in-place changes to a tensor's storage (shared by views of the same storage), so that
/// backward can tell when a value it saved was overwritten.
/// </summary>
internal sealed class VersionCounter
{
    /// <summary>The number of in-place changes so far.</summary>
    public int Value { get; private set; }

    /// <summary>Records one in-place change.</summary>
    public void Bump() => Value++;
}
