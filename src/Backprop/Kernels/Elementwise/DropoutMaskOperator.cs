using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Backprop.Kernels.Elementwise;

/// <summary>Dropout's mask from uniform draws: d = scale where u ≥ p (kept), else 0 (dropped).</summary>
/// <param name="p">The probability of dropping.</param>
/// <param name="scale">What a kept element is multiplied by, 1/(1 − p).</param>
internal readonly struct DropoutMaskOperator(float p, float scale) : IUnaryOperator
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public float Invoke(float u) => u >= p ? scale : 0f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector128<float> Invoke(Vector128<float> u) => Vector128.GreaterThanOrEqual(u, Vector128.Create(p)) & Vector128.Create(scale);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector256<float> Invoke(Vector256<float> u) => Vector256.GreaterThanOrEqual(u, Vector256.Create(p)) & Vector256.Create(scale);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Vector512<float> Invoke(Vector512<float> u) => Vector512.GreaterThanOrEqual(u, Vector512.Create(p)) & Vector512.Create(scale);
}
