namespace Backprop.Tests;

/// <summary>Float64 results against a reference (PyTorch's, in float64), element by element.</summary>
internal static class Float64Assert
{
    /// <summary>Asserts that <paramref name="actual"/> is float64, shaped like <paramref name="expected"/>, and within <paramref name="tolerance"/>·max(1, |expected|) of it everywhere.</summary>
    public static void Close(Tensor expected, Tensor? actual, double tolerance, string what)
    {
        Assert.NotNull(actual);
        Assert.Equal(DType.Float64, actual.DType);
        Assert.Equal(expected.Shape, actual.Shape);
        var e = expected.ToArray<double>();
        var a = actual.ToArray<double>();
        for (var i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - a[i]) <= tolerance * Math.Max(1, Math.Abs(e[i])), $"{what}[{i}]: PyTorch {e[i]:R}, Backprop {a[i]:R}");
        }
    }
}
