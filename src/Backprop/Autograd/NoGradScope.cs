namespace Backprop.Autograd;

/// <summary>
/// A scope in which operations record no graph (for inference and for weight updates). Dispose it to
/// leave the scope; scopes nest.
/// </summary>
public readonly struct NoGradScope : IDisposable
{
    private readonly bool _active;

    internal NoGradScope(bool active)
    {
        _active = active;
        if (active)
        {
            GradMode.Disable();
        }
    }

    /// <summary>Leaves the scope.</summary>
    public void Dispose()
    {
        if (_active)
        {
            GradMode.Restore();
        }
    }
}
