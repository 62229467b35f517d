namespace Backprop.Tests.Kernels;

/// <summary>
/// erf in double for the tests, independent of the library's: the Chebyshev fit of erfc from Numerical Recipes
/// (relative error below 1.2e-7), evaluated in double.
/// </summary>
internal static class ErfReference
{
    public static double Evaluate(double x)
    {
        var z = Math.Abs(x);
        var t = 1.0 / (1.0 + (0.5 * z));
        var poly = -1.26551223 + (t * (1.00002368 + (t * (0.37409196 + (t * (0.09678418 + (t * (-0.18628806 + (t * (0.27886807 + (t * (-1.13520398 + (t * (1.48851587 + (t * (-0.82215223 + (t * 0.17087277)))))))))))))))));
        var r = t * Math.Exp(-(z * z) + poly);
        return x >= 0 ? 1.0 - r : r - 1.0;
    }
}
