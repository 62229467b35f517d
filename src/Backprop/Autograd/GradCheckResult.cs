using System.Globalization;

namespace Backprop.Autograd;

/// <summary>The outcome of a <see cref="GradCheck"/>: whether every element agreed, and the worst one.</summary>
public sealed class GradCheckResult
{
    internal GradCheckResult(DType dtype) => DType = dtype;

    /// <summary>The floating type the check computed in.</summary>
    public DType DType { get; }

    /// <summary>True when every element was within tolerance.</summary>
    public bool Passed { get; private set; } = true;

    /// <summary>The number of elements compared.</summary>
    public int Checked { get; private set; }

    /// <summary>The largest |analytic − numeric| over all elements.</summary>
    public double MaxAbsError { get; private set; }

    /// <summary>A description of the first failing element (or of the worst element when all passed).</summary>
    public string Detail { get; private set; } = "no elements";

    /// <summary>Throws an <see cref="InvalidOperationException"/> with <see cref="Detail"/> when the check failed.</summary>
    public void ThrowIfFailed()
    {
        if (!Passed)
        {
            throw new InvalidOperationException("GradCheck failed: " + Detail);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => (Passed ? "passed" : "FAILED") + $" in {DType.Name()}: " + Detail;

    internal void Observe(int input, int index, double analytic, double numeric, double atol, double rtol)
    {
        Checked++;
        var error = Math.Abs(analytic - numeric);
        var ok = error <= atol + (rtol * Math.Abs(numeric));
        if (Passed && (!ok || error >= MaxAbsError))
        {
            Detail = string.Create(CultureInfo.InvariantCulture, $"input {input}, element {index}: autograd {analytic:G6}, finite difference {numeric:G6}, difference {error:G3}");
        }

        MaxAbsError = Math.Max(MaxAbsError, double.IsNaN(error) ? double.PositiveInfinity : error);
        Passed &= ok;
    }
}
