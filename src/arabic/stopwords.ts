/**
 * Function words that say nothing about what a question is about. Kept in
 * normalized form (see normalizeArabic), so "إلى" appears as "الي".
 */
const ARABIC = `
في من الي علي عن مع ان انه انها ما ماذا لماذا متي اين كيف كم هل اي ايه من هو هي هم هن
انت انا نحن هذا هذه ذلك تلك هؤلاء الذي التي الذين اللذين اللتين اللاتي
او ام ثم بل لكن لا لم لن قد كان كانت يكون تكون كانوا اذا اذ حتي لو
كل بعض غير بين عند عندما حيث منذ خلال بعد قبل فوق تحت ضد نحو لدي لدى
و ف ب ل ك يا ايضا فقط كما مثل اما الا ليس ليست هناك هنا
به بها له لها لهم فيه فيها منه منها عليه عليها اليه اليها عنه عنها
وقد وقال قال قالت وقالت اكد واكد وذكر ذكر اضاف واضاف اشار واشار حول
ماهي ماهو ماهم بماذا لماذا لمادا لمن ممن بمن بكم باي لاي اي واي فما فمن وما ومن وهل ال
اذكر اعطي
`;

const ENGLISH = `
a an the of in on at to for from by with about as is are was were be been being
what which who whom whose when where why how did do does done has have had
this that these those it its he she they them his her their i you we our your
and or but not no yes if then than so such can could would should will shall may might
tell me please
`;

export const STOP_WORDS: ReadonlySet<string> = new Set(`${ARABIC} ${ENGLISH}`.split(/\s+/).filter(Boolean));
