namespace Backprop.Autograd;

/// <summary>
/// A scope in which operations record no graph (<see cref="Tensor.NoGrad"/>, for inference and weight updates)
/// or record it again (<see cref="Tensor.EnableGrad"/>, inside a no-grad scope). Dispose it to restore the mode
/// it replaced; scopes nest.
/// </summary>
public readonly struct GradModeScope : IDisposable
{
    private readonly bool _previous;
    private readonly bool _active;

    internal GradModeScope(bool enabled)
    {
        _previous = GradMode.Set(enabled);
        _active = true;
    }

    /// <summary>Leaves the scope.</summary>
    public void Dispose()
    {
        if (_active)
        {
            GradMode.Set(_previous);
        }
    }
}
