using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>An elementwise function d = f(x, y) of two inputs, once per vector width (see <see cref="IUnaryOperator"/>).</summary>
internal interface IBinaryOperator
{
    /// <summary>f(x, y) for one element.</summary>
    float Invoke(float x, float y);

    /// <summary>f(x, y) for four elements.</summary>
    Vector128<float> Invoke(Vector128<float> x, Vector128<float> y);

    /// <summary>f(x, y) for eight elements.</summary>
    Vector256<float> Invoke(Vector256<float> x, Vector256<float> y);

    /// <summary>f(x, y) for sixteen elements.</summary>
    Vector512<float> Invoke(Vector512<float> x, Vector512<float> y);
}
