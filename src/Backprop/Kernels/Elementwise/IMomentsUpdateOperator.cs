using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>
/// An in-place update of a value and two states from a gradient, (p, m, v) ← f(p, g, m, v), once per vector width
/// (see <see cref="IUnaryOperator"/>): the shape of an optimizer step with two moments (Adam).
/// </summary>
internal interface IMomentsUpdateOperator
{
    /// <summary>Updates one element.</summary>
    void Invoke(ref float p, float g, ref float m, ref float v);

    /// <summary>Updates four elements.</summary>
    void Invoke(ref Vector128<float> p, Vector128<float> g, ref Vector128<float> m, ref Vector128<float> v);

    /// <summary>Updates eight elements.</summary>
    void Invoke(ref Vector256<float> p, Vector256<float> g, ref Vector256<float> m, ref Vector256<float> v);

    /// <summary>Updates sixteen elements.</summary>
    void Invoke(ref Vector512<float> p, Vector512<float> g, ref Vector512<float> m, ref Vector512<float> v);
}
